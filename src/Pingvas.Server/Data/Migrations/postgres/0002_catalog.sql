-- The default catalog of PRODUCT.md §2. Data, not code: admins edit it later.
INSERT INTO plans (id, name, rank, monthly_price_cents, annual_price_cents, monthly_credits, storage_bytes, concurrent_jobs, queue_priority, api_calls_per_month, max_side, max_batch, features) VALUES
('free',       'Free',       0, 0,     NULL,   100,   1073741824,   1,    2,  0,    1024, 1,  'generate'),
('starter',    'Starter',    1, 2500,  25000,  5000,  21474836480,  1,    4,  50,   1536, 4,  'generate,canvas,upscale,workflows'),
('pro',        'Pro',        2, 7500,  75000,  15000, 107374182400, 1,    6,  500,  2048, 8,  'generate,canvas,upscale,workflows,flux,external'),
('studio',     'Studio',     3, 15000, 150000, 30000, 214748364800, 3,    8,  2000, 2048, 8,  'generate,canvas,upscale,workflows,flux,external,multi_queue,lora_training'),
('enterprise', 'Enterprise', 4, NULL,  NULL,   NULL,  NULL,         NULL, 10, NULL, 4096, 16, 'generate,canvas,upscale,workflows,flux,external,multi_queue,lora_training,dedicated_workers,sla');

-- Cost profiles: seconds = (base + perStepMegapixel × steps × megapixels) × batch, on the reference GPU.
INSERT INTO models (id, name, kind, family, min_plan_id, base_seconds, seconds_per_step_megapixel, credits_per_image, default_steps, default_side, enabled, description) VALUES
('sd-1.5',       'Stable Diffusion 1.5', 'local',    'sd1',      'free',    0.5, 0.40, 0,  25, 512,  true, 'Fast classic model, 512 px native.'),
('sdxl-1.0',     'SDXL 1.0',             'local',    'sdxl',     'starter', 1.0, 0.30, 0,  30, 1024, true, 'High quality at 1024 px.'),
('flux-schnell', 'FLUX.1 schnell',       'local',    'flux',     'pro',     1.5, 0.90, 0,  4,  1024, true, 'FLUX distilled for 4-step renders.'),
('flux-dev',     'FLUX.1 dev',           'local',    'flux',     'pro',     2.0, 1.10, 0,  28, 1024, true, 'FLUX at full quality.'),
('nano-banana',  'Nano Banana (Gemini image)', 'external', 'external', 'pro', 0, 0, 20, 1, 1024, true, 'External API model: 20 credits per image.');
