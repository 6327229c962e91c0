namespace Pingvas.Server.Loras;

/// <summary>A LoRA as its owner sees it; <c>sha256</c> is the hex SHA-256 of the file as stored.</summary>
public sealed record LoraDto(Guid Id, string Name, string FileName, string Family, long Bytes, string Sha256, IReadOnlyList<string> TriggerWords, DateTime CreatedAt)
{
    public static LoraDto From(Lora lora) =>
        new(lora.Id, lora.Name, lora.FileName, lora.Family, lora.Bytes, lora.FileHash, LoraTriggerWords.Split(lora.TriggerWords), lora.CreatedAt);
}

/// <summary><c>GET /loras</c>: every LoRA of the owner (newest first) and the storage they share with images and uploads.</summary>
public sealed record LoraListDto(IReadOnlyList<LoraDto> Items, long UsedBytes, long? QuotaBytes);

/// <summary>Trigger words are stored comma-separated (kohya tags never hold a comma).</summary>
public static class LoraTriggerWords
{
    public static string? Join(IReadOnlyList<string> words) => words.Count == 0 ? null : string.Join(',', words);

    public static IReadOnlyList<string> Split(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
