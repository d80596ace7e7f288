// A hunt with an ask hint (and, on request, hint tokens), for the asks tests.

/** The asks hunt; `tokens` is an extra line of its [hunt] table (hint_tokens). */
export const ASKS_TOML = (tokens = "") => `
[hunt]
title = "Asks"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
${tokens}

[[puzzle]]
id = "lighthouse"
title = "Lighthouse"
points = 100
answer = ["polaris"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Ask us."
cost = 10

[[puzzle.hint]]
id = "nudge"
text = "Look up."
`;
