-- External API models relayed by Engines/Relay (Stability AI, Replicate), beside nano-banana (Gemini)
-- from 0002: Pro and above, 20 credits per image. Enabled; the engine directory calls them
-- model_unavailable until the provider's API key is configured.
INSERT INTO models (id, name, kind, family, min_plan_id, base_seconds, seconds_per_step_megapixel, credits_per_image, default_steps, default_side, enabled, description) VALUES
('stability-sd3',      'Stable Diffusion 3.5 Large (Stability AI)', 'external', 'external', 'pro', 0, 0, 20, 1, 1024, true, 'External API model: 20 credits per image.'),
('replicate-flux-pro', 'FLUX 1.1 Pro (Replicate)',                  'external', 'external', 'pro', 0, 0, 20, 1, 1024, true, 'External API model: 20 credits per image.');

-- What the provider charged us for a relayed job, in US dollars (admin reporting; never shown to users).
ALTER TABLE jobs ADD COLUMN provider_cost_usd numeric NULL;
