import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";

const errorsOf = (toml: string) =>
  loadHunt(toml, { file: "m.toml" }).problems.map((p) => ({
    severity: p.severity,
    message: p.message,
    puzzle: p.puzzle,
    field: p.field,
    line: p.line,
  }));

const HEAD = `[hunt]\ntitle = "M"\n`;

describe("loadHunt() missions", () => {
  test("a mission needs no answer; judge defaults to organizer; uploads default to 15/60 MB", () => {
    const { hunt, problems } = loadHunt(
      `${HEAD}\n[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "photo"\n`,
      { file: "m.toml" },
    );
    expect(problems).toEqual([]);
    expect(hunt!.puzzles[0]!.mission).toEqual({ submit: "photo", judge: "organizer" });
    expect(hunt!.uploads).toEqual({
      photoMax: 15 * 1_048_576,
      videoMax: 60 * 1_048_576,
      teamQuota: 1_073_741_824,
      photoSize: 2048,
    });
    expect(hunt!.gallery).toBe(false);
  });

  test("reads the upload limits and the gallery switch", () => {
    const { hunt } = loadHunt(
      `${HEAD}uploads = { photo_max = "500KB", video_max = "2GB", team_quota = "3MB" }\ngallery = true\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "text"\n`,
      { file: "m.toml" },
    );
    expect(hunt!.uploads).toEqual({
      photoMax: 512_000,
      videoMax: 2 * 1_073_741_824,
      teamQuota: 3 * 1_048_576,
      photoSize: 2048,
    });
    expect(hunt!.gallery).toBe(true);
  });

  const cases: [string, string, ReturnType<typeof errorsOf>][] = [
    [
      "a mission with an answer",
      `[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "video"\nanswer = "x"\n`,
      [{
        severity: "error",
        message: 'A mission (submit = "video") takes no answer: a judge accepts it',
        puzzle: "p",
        field: "answer",
        line: 8,
      }],
    ],
    [
      "judge without submit",
      `[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = "x"\njudge = "auto"\n`,
      [{
        severity: "error",
        message: 'judge is only for missions: add submit = "photo", "video" or "text"',
        puzzle: "p",
        field: "judge",
        line: 8,
      }],
    ],
    [
      "an unknown submit kind",
      `[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "audio"\n`,
      [{
        severity: "error",
        message: 'Expected "photo", "video" or "text"',
        puzzle: "p",
        field: "submit",
        line: 7,
      }],
    ],
    [
      "a mission with dynamic points and a first-solve bonus",
      `[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "photo"\npoints = { initial = 50, minimum = 10, decay = 5 }\nfirst_solve_bonus = [5]\n`,
      [{
        severity: "error",
        message: "A mission's points are a whole number, not dynamic",
        puzzle: "p",
        field: "points",
        line: 8,
      }, {
        severity: "error",
        message: "A mission takes no first_solve_bonus",
        puzzle: "p",
        field: "first_solve_bonus",
        line: 9,
      }],
    ],
  ];
  for (const [what, puzzles, expected] of cases) {
    test(`reports ${what}`, () => {
      expect(errorsOf(`${HEAD}\n${puzzles}`)).toEqual(expected);
    });
  }

  test('reads uploads.photo_size: pixels, or "original"', () => {
    for (
      const [value, expected] of [["640", 640], ["2560", 2560], ["4096", 4096], [
        '"original"',
        "original",
      ]] as const
    ) {
      const { hunt, problems } = loadHunt(
        `${HEAD}uploads = { photo_size = ${value} }\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "photo"\n`,
        { file: "m.toml" },
      );
      expect(problems).toEqual([]);
      expect(hunt!.uploads.photoSize).toBe(expected);
    }
  });

  for (
    const value of [
      '"2560px"',
      '"2560"',
      "2560.5",
      "100",
      "639",
      "4097",
      "0",
      "-2048",
      '"originals"',
      "true",
    ]
  ) {
    test(`reports uploads.photo_size = ${value} with its place`, () => {
      const problems = errorsOf(
        `${HEAD}uploads = { photo_max = "15MB", photo_size = ${value} }\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "photo"\n`,
      );
      expect(problems).toEqual([{
        severity: "error",
        message: 'Expected a whole number of pixels from 640 to 4096, or "original"',
        puzzle: undefined,
        field: "hunt.uploads.photo_size",
        line: 3,
      }]);
    });
  }

  test("reports a bad upload size with its place", () => {
    const problems = errorsOf(
      `${HEAD}uploads = { photo_max = "15 megs" }\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nsubmit = "text"\n`,
    );
    expect(problems).toEqual([{
      severity: "error",
      message: 'Expected a size such as "500KB", "15MB" or "1GB"',
      puzzle: undefined,
      field: "hunt.uploads.photo_max",
      line: 3,
    }]);
  });
});

test("config/scavenger-example.toml loads with no problems and has photo missions", async () => {
  const { loadHuntFile } = await import("../../src/hunt/mod.ts");
  const { hunt, problems } = loadHuntFile(
    new URL("../../config/scavenger-example.toml", import.meta.url).pathname,
  );
  expect(problems).toEqual([]);
  expect(hunt!.puzzles.filter((p) => p.mission?.submit === "photo").length).toBeGreaterThan(1);
});
