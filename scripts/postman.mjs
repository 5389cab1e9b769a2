// Writes postman/healthcare-api.postman_collection.json from openapi.json (openapi-to-postmanv2),
// then arranges its requests into one flow that runs against a fresh account: the login
// request's test script stores the bearer token in the collection variable `accessToken`,
// which every protected request sends. With --check, compares instead and fails when stale.
import Converter from 'openapi-to-postmanv2';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, writeOrCheck } from './generated-file.mjs';
const FILE = join(ROOT, 'postman', 'healthcare-api.postman_collection.json');

const PASSWORD = 'correct horse battery staple';

/** Lines of a test script: the expected status, and for errors a problem document. */
function expectStatus(status) {
  const lines = [`pm.test('status is ${status}', () => pm.response.to.have.status(${status}));`];
  if (status >= 400) {
    lines.push(
      "pm.test('the body is a problem document', () => {",
      "  pm.expect(pm.response.headers.get('Content-Type')).to.match(/^application\\/problem\\+json/);",
      `  pm.expect(pm.response.json().status).to.equal(${status});`,
      '});',
    );
  }
  return lines;
}

/** Lines of a test script: the answer is FHIR JSON. */
function fhirJson() {
  return [
    "pm.test('the body is FHIR JSON', () => pm.expect(pm.response.headers.get('Content-Type')).to.match(/^application\\/fhir\\+json/));",
  ];
}

/** Stores fields of the JSON answer in collection variables: { variable: field }. */
function remember(fields) {
  return Object.entries(fields).map(
    ([variable, field]) =>
      `pm.collectionVariables.set('${variable}', pm.response.json().${field});`,
  );
}

/** Sets a collection variable to a unique email address (this run's own). */
function uniqueEmail(variable, prefix) {
  return [
    `pm.collectionVariables.set('${variable}', '${prefix}-' + pm.variables.replaceIn('{{$guid}}') + '@example.com');`,
  ];
}

const doctor = (emailVariable, name, specialization) => ({
  name,
  specialization,
  email: `{{${emailVariable}}}`,
});

const JANE = {
  name: 'Jane Doe',
  dateOfBirth: '1984-07-21',
  gender: 'female',
  doctorId: '{{doctorId}}',
};

/**
 * The flow, folder by folder: each step names an operation of openapi.json, with the body,
 * path id (and version), headers, scripts and status of its request. Every operation must
 * appear at least once.
 */
const FLOW = [
  {
    folder: 'operations',
    steps: [
      { operationId: 'getHealth', status: 200 },
      { operationId: 'getLiveness', status: 200 },
      { operationId: 'getReadiness', status: 200 },
    ],
  },
  {
    folder: 'auth',
    steps: [
      {
        operationId: 'register',
        prerequest: uniqueEmail('email', 'newman'),
        body: { name: 'Postman User', email: '{{email}}', password: '{{password}}' },
        status: 201,
        tests: remember({ userId: 'id' }),
      },
      {
        operationId: 'login',
        body: { email: '{{email}}', password: '{{password}}' },
        status: 200,
        tests: [
          ...remember({ accessToken: 'accessToken', refreshToken: 'refreshToken' }),
          "pm.test('the answer carries the rate-limit headers', () => pm.response.to.have.header('X-RateLimit-Limit'));",
        ],
      },
      { operationId: 'getCurrentUser', status: 200 },
      {
        operationId: 'refreshTokens',
        body: { refreshToken: '{{refreshToken}}' },
        status: 200,
        tests: remember({ accessToken: 'accessToken', refreshToken: 'refreshToken' }),
      },
      {
        operationId: 'login',
        name: 'Log in a second time (a second session)',
        body: { email: '{{email}}', password: '{{password}}' },
        status: 200,
      },
      {
        operationId: 'listSessions',
        status: 200,
        tests: [
          "pm.test('both sessions are listed', () => pm.expect(pm.response.json().total).to.equal(2));",
          "pm.collectionVariables.set('otherSessionId', pm.response.json().items.find((session) => !session.current).id);",
        ],
      },
      { operationId: 'endSession', id: 'otherSessionId', status: 204 },
    ],
  },
  {
    folder: 'admin',
    description:
      'Administrators only: the flow signs in as an ordinary account, so each answers 403. ' +
      'Make an administrator with `npm run cli -- create-admin` to try them for real.',
    steps: [
      { operationId: 'listUsers', status: 403 },
      { operationId: 'getUser', id: 'userId', status: 403 },
      { operationId: 'updateUser', id: 'userId', body: { disabled: true }, status: 403 },
      { operationId: 'listAuditEvents', status: 403 },
    ],
  },
  {
    folder: 'doctors',
    steps: [
      {
        operationId: 'createDoctor',
        prerequest: uniqueEmail('doctorEmail', 'house'),
        body: doctor('doctorEmail', 'Dr. Gregory House', 'Diagnostic medicine'),
        status: 201,
        tests: remember({ doctorId: 'id' }),
      },
      {
        operationId: 'createDoctor',
        name: 'Add a second doctor',
        prerequest: uniqueEmail('otherDoctorEmail', 'wilson'),
        body: doctor('otherDoctorEmail', 'Dr. James Wilson', 'Oncology'),
        status: 201,
        tests: remember({ otherDoctorId: 'id' }),
      },
      {
        operationId: 'listDoctors',
        query: { specialization: 'Oncology' },
        status: 200,
        tests: [
          "pm.test('the second doctor is listed', () => pm.expect(pm.response.json().items.map((doctor) => doctor.id)).to.include(pm.collectionVariables.get('otherDoctorId')));",
        ],
      },
      { operationId: 'getDoctor', id: 'doctorId', status: 200 },
      {
        operationId: 'replaceDoctor',
        id: 'doctorId',
        body: { ...doctor('doctorEmail', 'Dr. Gregory House', 'Nephrology'), phone: '+1 555 0100' },
        status: 200,
      },
      { operationId: 'updateDoctor', id: 'doctorId', body: { phone: null }, status: 200 },
      {
        operationId: 'listDoctorHistory',
        id: 'doctorId',
        status: 200,
        tests: [
          "pm.test('three versions, newest first', () => pm.expect(pm.response.json().items.map((entry) => entry.version)).to.eql([3, 2, 1]));",
        ],
      },
      { operationId: 'getDoctorVersion', id: 'doctorId', version: 1, status: 200 },
    ],
  },
  {
    folder: 'patients',
    steps: [
      {
        operationId: 'createPatient',
        body: JANE,
        status: 201,
        tests: remember({ patientId: 'id' }),
      },
      {
        operationId: 'listPatients',
        query: { q: 'jane' },
        status: 200,
        tests: [
          "pm.test('one patient matches', () => pm.expect(pm.response.json().total).to.equal(1));",
        ],
      },
      {
        operationId: 'getPatient',
        id: 'patientId',
        status: 200,
        tests: ["pm.collectionVariables.set('patientETag', pm.response.headers.get('ETag'));"],
      },
      {
        operationId: 'replacePatient',
        id: 'patientId',
        headers: { 'If-Match': '{{patientETag}}' },
        body: { ...JANE, email: 'jane@example.com' },
        status: 200,
      },
      {
        operationId: 'updatePatient',
        name: 'Change the patient from the version read before: 412',
        id: 'patientId',
        headers: { 'If-Match': '{{patientETag}}' },
        body: { medicalHistory: 'An edit based on a stale copy.' },
        status: 412,
      },
      {
        operationId: 'updatePatient',
        id: 'patientId',
        body: { medicalHistory: 'Penicillin allergy.' },
        status: 200,
      },
      { operationId: 'listPatientHistory', id: 'patientId', status: 200 },
      { operationId: 'getPatientVersion', id: 'patientId', version: 2, status: 200 },
      { operationId: 'listPatientDoctors', id: 'patientId', status: 200 },
    ],
  },
  {
    folder: 'mappings',
    steps: [
      {
        operationId: 'createMapping',
        body: {
          patientId: '{{patientId}}',
          doctorId: '{{otherDoctorId}}',
          notes: 'Second opinion',
        },
        status: 201,
        tests: remember({ mappingId: 'id' }),
      },
      {
        operationId: 'createMapping',
        name: 'Map the same pair again: 409',
        body: { patientId: '{{patientId}}', doctorId: '{{otherDoctorId}}' },
        status: 409,
      },
      {
        operationId: 'listMappings',
        query: { patientId: '{{patientId}}' },
        status: 200,
        tests: [
          "pm.test('the patient has two mappings', () => pm.expect(pm.response.json().total).to.equal(2));",
        ],
      },
      { operationId: 'getMapping', id: 'mappingId', status: 200 },
      {
        operationId: 'replaceMapping',
        id: 'mappingId',
        body: { patientId: '{{patientId}}', doctorId: '{{otherDoctorId}}', notes: 'Follow-up' },
        status: 200,
      },
      { operationId: 'updateMapping', id: 'mappingId', body: { notes: null }, status: 200 },
      { operationId: 'deleteMapping', id: 'mappingId', status: 204 },
    ],
  },
  {
    folder: 'fhir',
    steps: [
      { operationId: 'getFhirCapabilityStatement', status: 200, tests: fhirJson() },
      {
        operationId: 'searchFhirPatients',
        query: { name: 'jane' },
        status: 200,
        tests: [
          ...fhirJson(),
          "pm.test('a searchset Bundle of the one patient', () => pm.expect(pm.response.json()).to.include({ type: 'searchset', total: 1 }));",
        ],
      },
      {
        operationId: 'readFhirPatient',
        id: 'patientId',
        status: 200,
        tests: [
          ...fhirJson(),
          "pm.test('its versionId is its ETag', () => pm.expect(pm.response.headers.get('ETag')).to.equal(`W/\"${pm.response.json().meta.versionId}\"`));",
        ],
      },
      {
        operationId: 'searchFhirPractitioners',
        query: { name: 'house' },
        status: 200,
        tests: fhirJson(),
      },
      { operationId: 'readFhirPractitioner', id: 'doctorId', status: 200, tests: fhirJson() },
      {
        operationId: 'searchFhirCareTeams',
        query: { patient: 'Patient/{{patientId}}' },
        status: 200,
        tests: fhirJson(),
      },
      {
        operationId: 'readFhirCareTeam',
        id: 'patientId',
        status: 200,
        tests: [
          ...fhirJson(),
          "pm.test('one participant per mapped doctor', () => pm.expect(pm.response.json().participant).to.have.lengthOf(1));",
        ],
      },
    ],
  },
  {
    folder: 'audit trail',
    description: 'Who has accessed the patient: every request above left an event.',
    steps: [
      {
        operationId: 'listPatientAuditEvents',
        id: 'patientId',
        query: { action: 'patient.read' },
        status: 200,
        tests: [
          "pm.test('the reads of the patient are recorded', () => pm.expect(pm.response.json().total).to.be.at.least(1));",
        ],
      },
    ],
  },
  {
    folder: 'clean up',
    description: 'Removes what the flow created, and logs out.',
    steps: [
      { operationId: 'deletePatient', id: 'patientId', status: 204 },
      { operationId: 'deleteDoctor', id: 'doctorId', status: 204 },
      {
        operationId: 'deleteDoctor',
        id: 'otherDoctorId',
        name: 'Remove the second doctor',
        status: 204,
      },
      { operationId: 'logout', body: { refreshToken: '{{refreshToken}}' }, status: 204 },
    ],
  },
];

const SHARED_STATUSES = new Set([413, 415, 500, 503]);

const VARIABLES = {
  baseUrl: 'http://localhost:3000',
  password: PASSWORD,
  email: '',
  userId: '',
  otherSessionId: '',
  accessToken: '',
  refreshToken: '',
  doctorEmail: '',
  otherDoctorEmail: '',
  doctorId: '',
  otherDoctorId: '',
  patientId: '',
  patientETag: '',
  mappingId: '',
};

function convert(openapi) {
  const options = {
    folderStrategy: 'Tags',
    parametersResolution: 'Example',
    alwaysInheritAuthentication: true,
    enableOptionalParameters: false,
  };
  return new Promise((resolve, reject) =>
    Converter.convert({ type: 'json', data: openapi }, options, (error, result) =>
      error || !result.result
        ? reject(error ?? new Error(result.reason))
        : resolve(result.output[0].data),
    ),
  );
}

/** Drops the random ids the converter gives every item, so that the output is reproducible. */
function withoutIds(node) {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'id' && key !== '_postman_id')
      .map(([key, value]) => [key, withoutIds(value)]),
  );
}

/** Whether a saved example is an error document: a problem, or a FHIR OperationOutcome. */
function isProblem(response) {
  return response.header.some(
    ({ key, value }) =>
      key === 'Content-Type' &&
      ['application/problem+json', 'application/fhir+json'].includes(value),
  );
}

function script(listen, lines) {
  return { listen, script: { type: 'text/javascript', exec: lines } };
}

async function build() {
  const openapi = JSON.parse(await readFile(join(ROOT, 'openapi.json'), 'utf8'));
  const collection = withoutIds(await convert(openapi));

  // The converted request of each operation, found by method and path.
  const operationIds = new Map();
  const publicOperations = new Set();
  for (const [path, item] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operationIds.set(`${method.toUpperCase()} ${path}`, operation.operationId);
      if (operation.security.length === 0) publicOperations.add(operation.operationId);
    }
  }
  const requests = new Map();
  for (const folder of collection.item) {
    for (const item of folder.item) {
      const path = `/${item.request.url.path.join('/').replace(/:(\w+)/g, '{$1}')}`;
      requests.set(operationIds.get(`${item.request.method} ${path}`), item);
    }
  }
  const used = new Set(FLOW.flatMap(({ steps }) => steps.map((step) => step.operationId)));
  const missing = [...operationIds.values()].filter((operationId) => !used.has(operationId));
  if (missing.length > 0) throw new Error(`No step of the Postman flow runs ${missing.join(', ')}`);

  const tags = new Map(openapi.tags.map((tag) => [tag.name, tag.description]));
  collection.item = FLOW.map(({ folder, description, steps }) => ({
    name: folder,
    description: description ?? tags.get(folder),
    item: steps.map((step) => {
      const item = structuredClone(requests.get(step.operationId));
      if (step.name) item.name = step.name;
      const request = item.request;
      if (publicOperations.has(step.operationId)) request.auth = { type: 'noauth' };
      if (step.id) request.url.variable = [{ key: 'id', value: `{{${step.id}}}` }];
      if (step.version) request.url.variable.push({ key: 'version', value: String(step.version) });
      for (const [key, value] of Object.entries(step.headers ?? {})) {
        const header = request.header.find((candidate) => candidate.key === key);
        Object.assign(header, { value, disabled: false });
      }
      for (const [key, value] of Object.entries(step.query ?? {})) {
        const parameter = request.url.query.find((candidate) => candidate.key === key);
        Object.assign(parameter, { value, disabled: false });
      }
      if (step.body) request.body.raw = JSON.stringify(step.body, null, 2);
      // The errors every operation shares are documented once in openapi.json; saved
      // examples keep the answers that are particular to the request.
      item.response = item.response.filter(
        (response) => !(SHARED_STATUSES.has(response.code) && isProblem(response)),
      );
      item.event = [
        ...(step.prerequest ? [script('prerequest', step.prerequest)] : []),
        script('test', [...expectStatus(step.status), ...(step.tests ?? [])]),
      ];
      return item;
    }),
  }));
  collection.info._postman_id = 'c6a3f0d2-5b1e-4f7a-9c3d-8e2b1a4f6d50';
  collection.auth = {
    type: 'bearer',
    bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }],
  };
  collection.variable = Object.entries(VARIABLES).map(([key, value]) => ({
    key,
    value,
    type: 'string',
  }));
  return collection;
}

await writeOrCheck(FILE, await build(), 'npm run postman');
