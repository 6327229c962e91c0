using System.Text.Json;

namespace Pingvas.Server.Tests.Infrastructure;

public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

public sealed record AuthBody(string AccessToken, string RefreshToken, int ExpiresIn, MeBody User);

public sealed record MeBody(Guid Id, string Email, string Name, string Role, PlanBody Plan, CreditsBody Credits);

public sealed record PlanBody(string Id, string Name, int QueuePriority, int? ConcurrentJobs, int MaxSide, int MaxBatch, int? MonthlyCredits);

public sealed record CreditsBody(int Balance, int Reserved, bool Unlimited, DateTime PeriodEnd);

public sealed record ProgressBody(int Step, int TotalSteps, int Percent);

public sealed record ImageRefBody(Guid Id, string Url, string ThumbnailUrl, string Thumbnail512Url, int Width, int Height, long Seed);

public sealed record ErrorBody(string Code, string Message);

public sealed record GenerationBody(
    Guid Id, string Status, string Model, string Prompt, int Width, int Height, int Steps, long Seed, int BatchSize,
    int? QueuePosition, ProgressBody Progress, List<ImageRefBody> Images, double? GpuSeconds, int ReservedCredits,
    int? CreditsCharged, string? Engine, ErrorBody? Error, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt);

public sealed record PageBody<T>(List<T> Items, string? NextCursor);

public sealed record LedgerEntryBody(Guid Id, string Kind, int Amount, int BalanceAfter, string Reason, Guid? JobId, DateTime CreatedAt);

public sealed record ImageBody(Guid Id, Guid GenerationId, int BatchIndex, string Url, string ThumbnailUrl, string Thumbnail512Url,
    int Width, int Height, long Seed, string Model, string Prompt, long StoredBytes, Dictionary<string, string> Metadata, DateTime CreatedAt);

public sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, string? Code, Dictionary<string, string[]>? Errors);
