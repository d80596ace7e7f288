// Text files imported `with { type: "text" }` and inlined by `bun build --compile`.
declare module "*.service" {
  const text: string;
  export default text;
}

// So are the docs that `cairn docs` prints.
declare module "*.md" {
  const text: string;
  export default text;
}
