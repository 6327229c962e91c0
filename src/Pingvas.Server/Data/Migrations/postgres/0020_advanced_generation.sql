-- Advanced generation (issue 11): InvokeAI workflows, user LoRAs, ControlNet and IP-Adapter.

-- Plans: LoRAs and control (ControlNet, IP-Adapter) are Pro and above (PRODUCT.md §2, seeds).
UPDATE plans SET features = features || ',loras,control' WHERE id IN ('pro', 'studio', 'enterprise') AND features NOT LIKE '%loras%';

-- Saved workflows (Workflows/): a user's own. document is the workflow as uploaded (InvokeAI's editor
-- export when format = 'workflow', a queue-API graph when 'graph'); exposed_fields is the JSON list the
-- run form is built from. Checked against the allow-list when saved, against the plan when run.
CREATE TABLE workflows (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text NULL,
    format text NOT NULL CHECK (format IN ('workflow', 'graph')),
    document text NOT NULL,
    exposed_fields text NOT NULL,
    node_count integer NOT NULL,
    thumbnail_image_id uuid NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_workflows_user ON workflows (user_id, id);

ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflows
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Workflows an admin shares with the plans listed in plan_ids (comma-separated plan ids). Catalog
-- data like plans and models: no owner, readable by every signed-in user whose plan is listed.
CREATE TABLE shared_workflows (
    id uuid NOT NULL PRIMARY KEY,
    name text NOT NULL,
    description text NULL,
    format text NOT NULL CHECK (format IN ('workflow', 'graph')),
    document text NOT NULL,
    exposed_fields text NOT NULL,
    node_count integer NOT NULL,
    plan_ids text NOT NULL,
    thumbnail_key text NULL,
    created_by uuid NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- User LoRAs (Loras/): a checked .safetensors file in the object store under an unguessable key.
-- family is the base model family read from its tensor names and kohya metadata (sd1, sdxl, flux).
CREATE TABLE loras (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    file_name text NOT NULL,
    family text NOT NULL CHECK (family IN ('sd1', 'sdxl', 'flux')),
    bytes bigint NOT NULL,
    file_hash text NOT NULL,
    object_key text NOT NULL,
    tensor_count integer NOT NULL,
    trigger_words text NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_loras_user ON loras (user_id, id);

ALTER TABLE loras ENABLE ROW LEVEL SECURITY;
ALTER TABLE loras FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON loras
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- What a job uses beyond its init image and mask: control and reference images, LoRAs, a workflow's
-- input images (kind 'image' or 'lora'). Deleting an image or a LoRA asks this, under the owner's lock,
-- while a job that needs it waits or runs. No foreign keys, as for init_image_id: a finished job keeps naming it.
CREATE TABLE job_inputs (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('image', 'lora')),
    ref_id uuid NOT NULL,
    PRIMARY KEY (job_id, kind, ref_id)
);
CREATE INDEX ix_job_inputs_ref ON job_inputs (user_id, ref_id);

ALTER TABLE job_inputs ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_inputs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_inputs
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Jobs: a workflow job keeps its checked graph (model and image fields rewritten to Pingvas references)
-- and the saved workflow it came from; add_ons is the JSON of the request's loras, control and reference.
ALTER TABLE jobs ADD COLUMN graph text NULL;
ALTER TABLE jobs ADD COLUMN workflow_id uuid NULL;
ALTER TABLE jobs ADD COLUMN add_ons text NULL;
