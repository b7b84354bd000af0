// The command-line clients' one way to call Custodian's API: POST JSON with the bearer token, answer the JSON, or print
// the problem (its detail and each field) and exit 2.
export async function postApi(url, token, path, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    console.error(`${response.status}: ${answer.detail ?? response.statusText}`);
    for (const e of answer.errors ?? []) console.error(`  ${e.path || '(file)'}: ${e.message}`);
    process.exit(2);
  }
  return answer;
}
