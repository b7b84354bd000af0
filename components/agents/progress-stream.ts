// The browser side of lib/http/progress-stream.ts: posts JSON, then reads the NDJSON lines as they come.

type Problem = { detail?: string; errors?: { path: string; message: string }[] };

export async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A refused request in words: the detail, then up to five fields with their problems. */
export async function problemOf(response: Response): Promise<string> {
  const problem = (await response.json().catch(() => ({}))) as Problem;
  const fields = (problem.errors ?? []).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  return [problem.detail ?? `The server answered ${response.status}.`, ...fields.slice(0, 5)].join(' ');
}

export type StreamHandlers<S> = {
  progress: (done: number, total: number) => void;
  done: (summary: S) => void;
  error: (detail: string) => void;
};

/** Posts the body and follows the stream to its end; a refused request is an error in the server's words. */
export async function followProgress<S>(path: string, body: unknown, on: StreamHandlers<S>): Promise<void> {
  const response = await postJson(path, body);
  if (!response.ok || !response.body) return on.error(await problemOf(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const message = JSON.parse(line) as
        | { type: 'progress'; done: number; total: number }
        | { type: 'done'; summary: S }
        | { type: 'error'; detail: string };
      if (message.type === 'progress') on.progress(message.done, message.total);
      else if (message.type === 'done') on.done(message.summary);
      else on.error(message.detail);
    }
  }
}
