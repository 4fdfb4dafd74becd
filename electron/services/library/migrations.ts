/**
 * Numbered migrations, applied in order, each in its own transaction with `user_version`.
 * Never edit one that has shipped: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'photos, tags, albums',
    sql: `
      CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        file_name TEXT NOT NULL,
        source_path TEXT,
        format TEXT NOT NULL,
        byte_size INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        orientation INTEGER NOT NULL DEFAULT 1,
        taken_at TEXT,
        imported_at TEXT NOT NULL,
        camera_make TEXT,
        camera_model TEXT,
        lens TEXT,
        iso REAL,
        exposure_time REAL,
        f_number REAL,
        focal_length REAL,
        gps_latitude REAL,
        gps_longitude REAL,
        rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
        trashed_at TEXT
      );
      CREATE INDEX photos_by_taken ON photos (taken_at, id) WHERE trashed_at IS NULL;
      CREATE INDEX photos_by_imported ON photos (imported_at, id) WHERE trashed_at IS NULL;
      CREATE INDEX photos_by_name ON photos (file_name COLLATE NOCASE, id) WHERE trashed_at IS NULL;
      CREATE INDEX photos_trashed ON photos (trashed_at) WHERE trashed_at IS NOT NULL;

      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
      );
      CREATE TABLE photo_tags (
        photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        PRIMARY KEY (photo_id, tag_id)
      ) WITHOUT ROWID;
      CREATE INDEX photo_tags_by_tag ON photo_tags (tag_id, photo_id);

      CREATE TABLE albums (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE album_photos (
        album_id INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        added_at TEXT NOT NULL,
        PRIMARY KEY (album_id, photo_id)
      ) WITHOUT ROWID;
      CREATE INDEX album_photos_by_photo ON album_photos (photo_id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'colour labels and full-text search',
    sql: `
      ALTER TABLE photos ADD COLUMN color_label TEXT
        CHECK (color_label IN ('red', 'yellow', 'green', 'blue', 'purple'));
      CREATE INDEX photos_by_label ON photos (color_label) WHERE color_label IS NOT NULL;

      -- rowid = photos.id; the text of each column is kept in step by the library service.
      CREATE VIRTUAL TABLE photo_search USING fts5 (file_name, tags, prompts, tokenize = 'trigram');
      INSERT INTO photo_search (rowid, file_name, tags, prompts)
        SELECT p.id, p.file_name,
               coalesce((SELECT group_concat(t.name, ' ') FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
                          WHERE pt.photo_id = p.id), ''),
               ''
        FROM photos p;
    `,
  },
  {
    version: 3,
    name: 'projects and their history',
    sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        photo_id INTEGER NOT NULL REFERENCES photos (id),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        head_step_id TEXT,
        tip_step_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX projects_by_photo ON projects (photo_id);

      -- One row per step of the history tree; never updated once written.
      CREATE TABLE steps (
        id TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        parent_id TEXT REFERENCES steps (id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        op_json TEXT NOT NULL,
        output_sha256 TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (project_id, seq)
      );
      CREATE INDEX steps_by_parent ON steps (parent_id);

      -- Every stored image a project refers to (its photos, dropped layers, later AI outputs),
      -- so nothing referenced is ever collected.
      CREATE TABLE project_assets (
        project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (project_id, sha256)
      ) WITHOUT ROWID;
      CREATE INDEX project_assets_by_sha ON project_assets (sha256);
    `,
  },
  {
    version: 4,
    name: 'stored images, the job queue, the edit cache, uploads and characters',
    sql: `
      ALTER TABLE photos ADD COLUMN never_upload INTEGER NOT NULL DEFAULT 0;

      -- Images that are not library photos: AI outputs, masks sent with an edit. Stored once by hash.
      CREATE TABLE stored_images (
        sha256 TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        byte_size INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'waiting-network', 'succeeded', 'failed', 'cancelled')),
        project_id INTEGER REFERENCES projects (id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        request_json TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        estimate_usd REAL NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        cache_key TEXT,
        step_id TEXT,
        error_kind TEXT,
        error TEXT,
        answer_text TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_by_state ON jobs (state, next_attempt_at);
      CREATE INDEX jobs_by_project ON jobs (project_id, created_at);

      -- Never pay twice: a finished answer by (model, prompt, inputs, mask, parameters).
      CREATE TABLE edit_cache (
        cache_key TEXT PRIMARY KEY,
        outputs_json TEXT NOT NULL,
        text TEXT NOT NULL,
        cost_usd REAL NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;

      -- What was sent to which cloud model, when (never the bytes, never the key).
      CREATE TABLE upload_log (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        image_count INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        photo_ids TEXT NOT NULL,
        prompt TEXT NOT NULL,
        sent_at TEXT NOT NULL
      );

      CREATE TABLE characters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE character_photos (
        character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (character_id, photo_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'sort indexes that also cover the filters',
    sql: `
      -- The benchmark showed pages with a rating or label filter reading every skipped row from the
      -- table; with the filter columns in the index, a page and its count stay inside the index.
      DROP INDEX photos_by_taken;
      DROP INDEX photos_by_imported;
      DROP INDEX photos_by_name;
      CREATE INDEX photos_by_taken ON photos (taken_at, id, rating, color_label) WHERE trashed_at IS NULL;
      CREATE INDEX photos_by_imported ON photos (imported_at, id, rating, color_label) WHERE trashed_at IS NULL;
      CREATE INDEX photos_by_name ON photos (file_name COLLATE NOCASE, id, rating, color_label) WHERE trashed_at IS NULL;
    `,
  },
];

/** The newest schema this build understands. */
export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;
