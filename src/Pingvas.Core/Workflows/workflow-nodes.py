#!/usr/bin/env python3
"""Regenerates workflow-nodes.json (the workflow node allow-list) from third_party/invokeai/openapi.json.

The categories and auxiliary models below are the policy (see docs/advanced-generation.md, "The node
allow-list"); the field types, options and bounds come from InvokeAI's node schemas.
Run from the repository root: python3 src/Pingvas.Core/Workflows/workflow-nodes.py
"""
import json

CATEGORIES = {
    "loader": ["main_model_loader", "sdxl_model_loader", "flux_model_loader", "vae_loader"],
    "prompt": ["compel", "sdxl_compel_prompt", "flux_text_encoder", "clip_skip", "string_join", "string_join_three", "string_replace"],
    "noise": ["noise"],
    "denoise": ["denoise_latents", "flux_denoise"],
    "latents": ["l2i", "i2l", "flux_vae_decode", "flux_vae_encode", "lresize", "lscale", "create_denoise_mask",
                "create_gradient_mask", "ideal_size", "scheduler"],
    "image": ["img_resize", "img_scale", "img_crop", "img_paste", "img_blur", "img_conv", "img_lerp", "img_ilerp", "img_mul",
              "img_chan", "img_channel_offset", "img_channel_multiply", "img_hue_adjust", "unsharp_mask", "color_correct",
              "blank_image", "infill_rgba", "infill_tile", "infill_cv2", "apply_mask_to_image", "canvas_paste_back"],
    "mask": ["tomask", "mask_combine", "mask_edge", "expand_mask_with_fade", "image_mask_to_tensor", "invert_tensor_mask"],
    "primitive": ["integer", "float", "boolean", "string", "image", "color", "core_metadata", "metadata_item", "metadata",
                  "merge_metadata"],
    "math": ["add", "sub", "mul", "div", "integer_math", "float_math", "float_to_int", "round_float", "rand_int", "rand_float"],
    "collect": ["collect"],
    "lora": ["lora_loader", "sdxl_lora_loader", "flux_lora_loader", "lora_selector", "lora_collection_loader",
             "sdxl_lora_collection_loader", "flux_lora_collection_loader"],
    # Preprocessors that run without downloading weights on first use (depth, pose, lineart do download).
    "control": ["controlnet", "flux_controlnet", "canny_edge_detection", "color_map", "content_shuffle", "heuristic_resize"],
    "ip_adapter": ["ip_adapter", "flux_ip_adapter"],
    "upscale": ["spandrel_image_to_image"],
    "output": ["save_image"],
}

# InvokeAI's starter models (invokeai/backend/model_manager/starter_models.py) a graph may name besides its main model.
AUX = {
    ("vae", "sdxl"): ["sdxl-vae-fp16-fix"],
    ("vae", "flux"): ["FLUX.1-schnell_ae"],
    ("t5_encoder", "any"): ["t5_base_encoder", "t5_bnb_int8_quantized_encoder"],
    ("clip_embed", "any"): ["clip-vit-large-patch14"],
    ("clip_vision", "any"): ["IP Adapter SD1.5 Image Encoder", "IP Adapter SDXL Image Encoder", "clip-vit-large-patch14"],
    ("ip_adapter", "sd-1"): ["Standard Reference (IP Adapter)", "Precise Reference (IP Adapter Plus)"],
    ("ip_adapter", "sdxl"): ["Standard Reference (IP Adapter ViT-H)", "Precise Reference (IP Adapter Plus ViT-H)"],
    ("ip_adapter", "flux"): ["Standard Reference (XLabs FLUX IP-Adapter v2)"],
    ("controlnet", "sd-1"): ["Hard Edge Detection (canny)", "Depth Map", "Lineart", "Pose Detection (openpose)", "Remix (shuffle)", "Tile"],
    ("controlnet", "sdxl"): ["Hard Edge Detection (canny)", "Depth Map", "Pose Detection (openpose)", "Tile"],
    ("controlnet", "flux"): ["FLUX.1-dev-Controlnet-Union"],
    ("spandrel_image_to_image", "any"): ["RealESRGAN_x2plus", "RealESRGAN_x4plus"],
}


def field(prop):
    options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
    if not options:
        return None
    p = options[0]
    ref = p.get("$ref", "").split("/")[-1]
    if ref == "ImageField":
        return {"type": "image"}
    if ref == "ModelIdentifierField":
        return {"type": "model"}
    t = p.get("type")
    if t == "string" and "enum" in p:
        return {"type": "enum", "options": p["enum"]}
    if t == "string" and "const" not in p:
        return {"type": "string"}
    if t in ("integer", "number"):
        f = {"type": "integer" if t == "integer" else "float"}
        for key, name in (("minimum", "min"), ("exclusiveMinimum", "min"), ("maximum", "max"), ("exclusiveMaximum", "max")):
            if key in p:
                f[name] = p[key]
        return f
    if t == "boolean":
        return {"type": "boolean"}
    return None


def main():
    schemas = json.load(open("third_party/invokeai/openapi.json"))["components"]["schemas"]
    by_type = {v["properties"]["type"]["const"]: v for v in schemas.values() if v.get("class") == "invocation"}
    nodes = {}
    for category, types in CATEGORIES.items():
        for t in types:
            s = by_type[t]
            out = s.get("output", {}).get("$ref", "").split("/")[-1]
            fields = {}
            for name, prop in s["properties"].items():
                if prop.get("field_kind") == "input" and (f := field(prop)) is not None:
                    fields[name] = f
            nodes[t] = {"category": category, "imageOutput": out == "ImageOutput" and category != "primitive", "fields": fields}
    aux = [{"type": t, "base": b, "name": n} for (t, b), names in AUX.items() for n in names]
    doc = {
        "rules": "Node types a workflow may use, by category. Only the core sd-1, sdxl and flux image nodes; "
                 "nothing that reads or writes files or paths, installs or downloads models, calls the network, "
                 "runs saved workflows, or iterates (iterate, ranges, batches multiply runs). Generated by workflow-nodes.py.",
        "nodes": nodes,
        "auxiliaryModels": aux,
    }
    with open("src/Pingvas.Core/Workflows/workflow-nodes.json", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")


main()
