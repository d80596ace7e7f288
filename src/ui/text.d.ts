// Stylesheets are imported as text (`with { type: "text" }`) and embedded in the binary.
declare module "*.css" {
  const text: string;
  export default text;
}

// So are SVG images.
declare module "*.svg" {
  const text: string;
  export default text;
}
