import type { Message } from './message';

type Source = { id: string; kind: string; createdAt: Date; agentId: string | null; payload: unknown };

/**
 * The signed webhook's JSON body. `id` is the notification's, the same on every retry: a receiver that has seen it
 * drops the duplicate. `data` holds the facts the message was written from (names, ids, times; never a secret).
 */
export function webhookPayload(n: Source, message: Message, url: string) {
  return {
    id: n.id,
    kind: n.kind,
    createdAt: n.createdAt.toISOString(),
    subject: message.subject,
    text: message.text,
    url,
    agentId: n.agentId,
    data: n.payload,
  };
}

/** Slack's mrkdwn treats &, < and > as markup: text is escaped so a name cannot inject a link. */
const escapeSlack = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack-compatible incoming-webhook message: a fallback text, a section, and a button to the page. */
export function slackPayload(message: Message, url: string) {
  const text = `*${escapeSlack(message.subject)}*\n${escapeSlack(message.text)}`;
  return {
    text: `${escapeSlack(message.subject)}: ${url}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Custodian' }, url }],
      },
    ],
  };
}
