import './gc-probe.js';
// `npm start`'s own entry point, unchanged: it starts the local server and prints its banner.
import '../../src/local/main.js';
