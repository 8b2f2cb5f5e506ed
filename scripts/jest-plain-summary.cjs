// A jest reporter that ends every run with one plain line, "jest: N passed, N failed[, N skipped]",
// which CI's log reader understands (it does not read jest's own summary). With
// JEST_SUMMARY_FILE set, it also appends the counts there so .ci/run can total its suites.
//
// A test file that fails to run (a syntax error, a missing import, a throw at load time, a
// failing afterAll) has no failed test in jest's counts; it counts here as one failure, so
// the plain line never says "0 failed" for a run that failed.
const { appendFileSync } = require('node:fs');

/** Suites that failed without a failing test of their own. */
function suitesFailedToRun(results) {
  return results.testResults.filter((suite) => (suite.testExecError || suite.failureMessage) && suite.numFailingTests === 0).length;
}

/** The counts of the plain line: failed includes suites that failed to run, total includes them too. */
function summarize(results) {
  const brokenSuites = suitesFailedToRun(results);
  return {
    passed: results.numPassedTests,
    failed: results.numFailedTests + brokenSuites,
    skipped: results.numPendingTests + results.numTodoTests,
    total: results.numTotalTests + brokenSuites,
  };
}

function plainLine({ passed, failed, skipped }) {
  return `jest: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const counts = summarize(results);
    process.stdout.write(`${plainLine(counts)}\n`);
    if (process.env.JEST_SUMMARY_FILE) {
      appendFileSync(process.env.JEST_SUMMARY_FILE, `${counts.passed} ${counts.failed} ${counts.skipped} ${counts.total}\n`);
    }
  }
}

module.exports = PlainSummaryReporter;
module.exports.summarize = summarize;
module.exports.plainLine = plainLine;
