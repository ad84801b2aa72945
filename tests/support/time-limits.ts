import { scaled } from './machine';

// Every test's and hook's default time limit, scaled to this machine (jest.config.js runs this in each test file).
jest.setTimeout(scaled(60_000));
