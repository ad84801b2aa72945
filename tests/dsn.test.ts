import { parseDeliveryReport } from '../src/mail/dsn';

/** Reports shaped as other servers send them: Exim's (base64 parts, no envelope id) and Gmail's nested one. */
test('a report in base64 with several recipients, one failed, one delayed', () => {
  const status = Buffer.from(
    [
      'Reporting-MTA: dns; exim.example.net',
      '',
      'Action: failed',
      'Final-Recipient: rfc822;a@example.org',
      'Status: 5.0.0',
      '',
      'Action: delayed',
      'Final-Recipient: rfc822;b@example.org',
      'Status: 4.0.0',
      '',
    ].join('\n'),
  ).toString('base64');
  const raw = [
    'Content-Type: multipart/report; report-type="delivery-status"; boundary=xyz',
    '',
    '--xyz',
    'Content-Type: text/plain',
    '',
    'failed',
    '--xyz',
    'Content-Type: message/delivery-status',
    'Content-Transfer-Encoding: base64',
    '',
    status.replace(/(.{60})/g, '$1\n'),
    '--xyz',
    'Content-Type: message/rfc822',
    '',
    'Message-ID: <11111111-2222-4333-8444-555555555555@vote.example.org>',
    'Subject: x',
    '',
    'body',
    '--xyz--',
  ].join('\n');
  expect(parseDeliveryReport(raw)).toEqual({
    envelopeId: undefined,
    messageIds: ['<11111111-2222-4333-8444-555555555555@vote.example.org>'],
    recipients: [
      { recipient: 'a@example.org', action: 'failed', status: '5.0.0', diagnostic: undefined },
      { recipient: 'b@example.org', action: 'delayed', status: '4.0.0', diagnostic: undefined },
    ],
  });
});

test('a report nested in a multipart/mixed, with an internationalised status part', () => {
  const raw = [
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="inner"',
    '',
    '--inner',
    'Content-Type: message/global-delivery-status',
    '',
    'Original-Envelope-Id: <abc@vote.example.org>',
    '',
    'Final-Recipient: utf-8; zoë@example.org',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 no such user',
    '',
    '--inner--',
    '--outer--',
  ].join('\r\n');
  expect(parseDeliveryReport(raw)).toEqual({
    envelopeId: '<abc@vote.example.org>',
    messageIds: [],
    recipients: [{ recipient: 'zoë@example.org', action: 'failed', status: '5.1.1', diagnostic: '550 no such user' }],
  });
});

test('an ordinary message, or a report without a status part, is not a delivery report', () => {
  expect(parseDeliveryReport('Subject: hi\r\n\r\nhello')).toBeUndefined();
  expect(
    parseDeliveryReport(
      'Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n',
    ),
  ).toBeUndefined();
  expect(parseDeliveryReport('Content-Type: multipart/report\r\n\r\nno boundary')).toBeUndefined();
});
