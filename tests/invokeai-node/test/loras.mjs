// LoRA files for the install tests and a loopback server that serves them.
import http from 'node:http';
import { buildSafetensors } from '../lib/lora-probe.mjs';

// LoRA state dicts laid out as InvokeAI's probe reads them (kohya names, lora_down [rank, in]).
export const SD1_LORA = buildSafetensors({
  'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': [4, 768],
  'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': [320, 4],
});
export const SDXL_LORA = buildSafetensors({
  'lora_te1_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [4, 768],
  'lora_te2_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight': [4, 1280],
});
export const FLUX_LORA = buildSafetensors({
  'lora_unet_double_blocks_0_img_attn_proj.lora_down.weight': [4, 3072],
  'lora_unet_double_blocks_0_img_attn_proj.lora_up.weight': [3072, 4],
});

/** A loopback file server: path -> bytes (or a status number). */
export async function serveFiles(routes) {
  const server = http.createServer((req, res) => {
    let body = routes[req.url];
    // A route given as { token, bytes } answers 401 without `Authorization: Bearer <token>`.
    if (body?.token !== undefined) body = req.headers.authorization === `Bearer ${body.token}` ? body.bytes : 401;
    if (typeof body === 'number' || body === undefined) {
      res.writeHead(body ?? 404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = (p) => `http://127.0.0.1:${server.address().port}${p}`;
  return { url, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}
