import { traceSuite } from './trace-suite.ts';

traceSuite('http/json');
