/** The projector's gallery of accepted mission photos (`/scoreboard/gallery`). */
import type { FC } from "hono/jsx";
import { Mark, Shell } from "./layout.tsx";

/** How often the gallery looks for new photos, in seconds. */
export const GALLERY_REFRESH = 30;

export interface GalleryPhoto {
  id: number;
  team: string;
  mission: string;
  at: string;
}

export const GalleryPage: FC<{ huntTitle: string; photos: GalleryPhoto[]; frozen: boolean }> = (
  props,
) => (
  <Shell
    title="Gallery"
    huntTitle={props.huntTitle}
    nav="none"
    bodyClass="board-page gallery-page"
    script="board"
    data={{ page: "gallery", refresh: String(GALLERY_REFRESH) }}
    // The script reloads the page; without it, the browser does.
    head={
      <noscript>
        <meta http-equiv="refresh" content={String(GALLERY_REFRESH)} />
      </noscript>
    }
  >
    <header class="board-head">
      <Mark />
      <h1>{props.huntTitle}</h1>
      <span class="muted">
        {props.frozen ? "Photos up to the freeze" : "Accepted photos, newest first"}
      </span>
    </header>
    <main id="main">
      {props.photos.length === 0
        ? <p class="board-empty" id="gallery-empty">No photo has been accepted yet.</p>
        : (
          <ul class="gallery" id="gallery">
            {props.photos.map((photo) => (
              <li>
                <figure>
                  <img
                    src={`/scoreboard/gallery/${photo.id}/photo`}
                    alt={`${photo.team}: ${photo.mission}`}
                    loading="lazy"
                  />
                  <figcaption>
                    <strong>{photo.team}</strong> · {photo.mission} · {photo.at}
                  </figcaption>
                </figure>
              </li>
            ))}
          </ul>
        )}
    </main>
  </Shell>
);
