// As many requests as consumer-b's contract has interactions.
require('./requests').floorSuite('floor for consumer-b', 2);
