// A jest reporter that ends every run with one plain line, "jest: N passed, N failed[, N skipped]",
// which CI's log reader understands (it does not read jest's own summary). With
// JEST_SUMMARY_FILE set, it also appends the counts there so .ci/run can total its suites.
const { appendFileSync } = require('node:fs');

class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`${line}\n`);
    if (process.env.JEST_SUMMARY_FILE) {
      appendFileSync(process.env.JEST_SUMMARY_FILE, `${results.numPassedTests} ${results.numFailedTests} ${skipped} ${results.numTotalTests}\n`);
    }
  }
}

module.exports = PlainSummaryReporter;
