"""What the tests of every layer share: the fixture trees, the fake Argo CD server and its
fixtures, and the contract check against Argo CD's swagger.json."""
