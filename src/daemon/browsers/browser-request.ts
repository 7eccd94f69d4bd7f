// Validates a POST /v1/browsers body and the ids in browser URLs, quoting the field and the value it got.
import {
  ARTIFACT_KINDS,
  MAX_BROWSER_MAX_DURATION_MS,
  type ArtifactKind,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { assertSessionId } from '../api/session-request.js';
import { checkFields, intField, invalid, metadataField, show, type FieldCheck } from '../http/validate.js';

const MIN_DURATION_MS = 1000;

const FIELDS: Record<keyof CreateBrowserRequest, FieldCheck> = {
  max_duration_ms: intField('max_duration_ms', MIN_DURATION_MS, MAX_BROWSER_MAX_DURATION_MS, ' (24 h)'),
  record: (v) => {
    if (!Array.isArray(v)) throw invalid(`record must be a list of ${ARTIFACT_KINDS.join(', ')}; got ${show(v)}.`);
    for (const kind of v) {
      if (!(ARTIFACT_KINDS as readonly unknown[]).includes(kind)) {
        throw invalid(`record: ${show(kind)} is not an artifact kind; use ${ARTIFACT_KINDS.join(', ')}.`);
      }
    }
  },
  metadata: metadataField,
};

export function parseCreateBrowser(body: unknown): CreateBrowserRequest {
  const req = checkFields<CreateBrowserRequest>(body, FIELDS, '{"record": ["har"]}');
  return req.record ? { ...req, record: [...new Set(req.record)] as ArtifactKind[] } : req;
}

export function assertBrowserId(id: string | null): string {
  if (id === null || id === '') throw invalid('Give the browser session id: ?id=ses_….');
  assertSessionId(id);
  return id;
}
