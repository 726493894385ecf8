/** Recording a real endpoint's streams (./writer) and answering from them later (./replayer). */
export { FORMAT, FORMAT_VERSION, MAX_RECORDING_BYTES, parseRecording, RecordingError, type Recording, type RecordedRead, type EndHow } from "./format";
export { createRecorder, type Recorder, type CallTap, type CallToRecord } from "./writer";
export { requestKey, keyText, normalizedJson, type RequestKey } from "./matcher";
export { isSecretName } from "./scrub";
export { openLibrary } from "./library";
export { startReplayBackend, type ReplayOptions } from "./replayer";
