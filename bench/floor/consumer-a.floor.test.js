// As many requests as consumer-a's contract has interactions.
require('./requests').floorSuite('floor for consumer-a', 3);
