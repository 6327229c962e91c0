using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Loras;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.AddOns;

/// <summary>Arranges LoRAs (a row, as the LoRA upload stores one) and reads what a submit left behind.</summary>
public static class AddOnKit
{
    /// <summary>A LoRA row of the user; its bytes are never fetched by the procedural engine, so no object is stored.</summary>
    public static async Task<Guid> AddLoraAsync(this PingvasServer server, Guid userId, string family = "sd1", string name = "style")
    {
        var id = Ids.New();
        await server.QueryAsync(async db =>
        {
            db.Loras.Add(new Lora
            {
                Id = id,
                UserId = userId,
                Name = name,
                FileName = name + ".safetensors",
                Family = family,
                Bytes = 1234,
                FileHash = new string('a', 64),
                ObjectKey = $"users/{userId:N}/loras/{id:N}-test.safetensors",
                TensorCount = 2,
                CreatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        return id;
    }

    /// <summary>The submit's answer as JSON (the add-on fields are not on the shared test body).</summary>
    public static async Task<JsonObject> SubmitJsonAsync(this TestUser user, object request)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/generations", request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this TestUser user, Guid id) =>
        JsonNode.Parse(await user.Client.GetStringAsync($"/api/v1/generations/{id}"))!.AsObject();

    /// <summary>No job, no job input, no hold and the same balance: what every refusal leaves.</summary>
    public static async Task AssertNothingWrittenAsync(this PingvasServer server, TestUser user, int balance)
    {
        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(0, await server.QueryAsync(db => db.JobInputs.CountAsync(i => i.UserId == user.Id)));
        Assert.Equal(0, await server.QueryAsync(db => db.LotHolds.CountAsync(h => h.UserId == user.Id)));
        Assert.Equal(0, await server.QueryAsync(db => db.Ledger.CountAsync(e => e.UserId == user.Id && e.JobId != null)));
        Assert.Equal(balance, (await user.MeAsync()).Credits.Balance);
    }
}
