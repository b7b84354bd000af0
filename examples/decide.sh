#!/bin/sh
# Ask the issuance gate from a CI step. Needs CUSTODIAN_URL and a CUSTODIAN_TOKEN with the decisions:check scope.
# Prints the decision as JSON. Exits 0 on allow, 2 on deny (a deny is an answer, HTTP 200), and curl's own code
# (22 on an HTTP error, 28 on a timeout) when Custodian cannot answer: the step fails closed.
answer=$(curl --fail-with-body --silent --show-error --max-time 2 \
  -H "Authorization: Bearer $CUSTODIAN_TOKEN" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: ${IDEMPOTENCY_KEY:-ci-$(date +%s)-$$}" \
  -d "{\"workloadIdentity\":\"${WORKLOAD:-spiffe://example.com/agents/gpu-scheduler}\",
       \"credential\":{\"name\":\"${CREDENTIAL:-gpu-scheduler-oauth-token-prod-1}\"},
       \"task\":\"${TASK:-jira}\",\"environment\":\"${ENVIRONMENT:-PROD}\",\"ttlSeconds\":${TTL:-600}}" \
  "${CUSTODIAN_URL:-http://localhost:3000}/api/v1/decisions") || { code=$?; echo "$answer"; exit "$code"; }
echo "$answer"
case "$answer" in *'"decision":"allow"'*) exit 0 ;; *) exit 2 ;; esac
