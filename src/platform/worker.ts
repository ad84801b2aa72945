/** Worker threads are started the core's way (it starts its own: omov verify's ballot threads). */
export { startWorker } from '@omov/core/cli/worker';
