#!/bin/sh
# Ask the issuance gate with curl. Needs CUSTODIAN_URL and a CUSTODIAN_TOKEN with the decisions:check scope.
# Prints the decision as JSON; fails (exit 22) on an HTTP error, so a CI step stops there.
curl --fail-with-body --silent --show-error --max-time 2 \
  -H "Authorization: Bearer $CUSTODIAN_TOKEN" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: ${IDEMPOTENCY_KEY:-ci-$(date +%s)-$$}" \
  -d "{\"workloadIdentity\":\"${WORKLOAD:-spiffe://example.com/agents/gpu-scheduler}\",
       \"credential\":{\"name\":\"${CREDENTIAL:-gpu-scheduler-oauth-token-prod-1}\"},
       \"task\":\"${TASK:-jira}\",\"environment\":\"${ENVIRONMENT:-PROD}\",\"ttlSeconds\":${TTL:-600}}" \
  "${CUSTODIAN_URL:-http://localhost:3000}/api/v1/decisions"
