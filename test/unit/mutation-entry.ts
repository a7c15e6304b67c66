// `npm run mutate` runs the unit tests of the decision modules once per mutant: importing them
// here runs them in ONE process (node:test runs tests of the files it loads; a failure sets the
// exit code), instead of one process per file under `node --test`.
import "./access.test";
import "./deadletters.test";
import "./decide.test";
import "./decision-rules.test";
import "./decode-rules.test";
import "./schema.test";
import "./schema-rules.test";
