using Pingvas.Server.Generation;
using Pingvas.Server.Webhooks;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// Example bodies for the main operations, built from the real DTO types so they cannot drift from
/// the schemas (the OpenAPI tests validate every example against its schema).
/// </summary>
public static class ApiExamples
{
    private static readonly Guid GenerationId = Guid.Parse("0193a6f2-7c1e-7b2a-9d4e-5f6a7b8c9d0e");
    private static readonly DateTime Created = new(2026, 12, 1, 9, 30, 0, DateTimeKind.Utc);

    public static readonly GenerationRequest Submit = new(
        Prompt: "a lighthouse at dawn, oil painting", NegativePrompt: "blurry", Model: "sd-1.5",
        Width: 512, Height: 512, Steps: 25, CfgScale: 7, Scheduler: "euler", Seed: 42, BatchSize: 1);

    public static readonly GenerationDto Queued = new(
        GenerationId, "queued", "sd-1.5", "a lighthouse at dawn, oil painting", "blurry", 512, 512, 25, 7, "euler", 42, 1,
        QueuePosition: 1, new ProgressDto(0, 25, 0), [], GpuSeconds: null, ReservedCredits: 1, CreditsCharged: null,
        Engine: null, Error: null, Created, StartedAt: null, FinishedAt: null);

    public static readonly EstimateResponse Estimate = new(Credits: 1, Allowed: true, Problem: null);

    public static readonly CreateWebhookRequest CreateWebhook = new(
        "https://example.com/pingvas/webhooks", ["generation.succeeded", "generation.failed"], "my render farm");

    public static readonly WebhookEndpointDto CreatedWebhook = new(
        Guid.Parse("0193a6f2-8d2f-7c3b-8e5f-6a7b8c9d0e1f"), "https://example.com/pingvas/webhooks", ["generation.succeeded", "generation.failed"],
        "my render farm", Enabled: true, DisabledReason: null, Created, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
}
