using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Loras;

/// <summary>
/// <c>/api/v1/loras</c>: upload (multipart <c>file</c> + optional <c>name</c>, streamed, header checked
/// before anything is kept), list with the storage they share, read, rename, delete. Another user's
/// LoRA is 404 <c>lora_not_found</c> everywhere.
/// </summary>
public static class LoraEndpoints
{
    /// <summary>Room for the multipart framing and the name around the file.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    public sealed record RenameLora(string? Name);

    public static RouteGroupBuilder MapLoras(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/loras").WithTags("LoRAs").RequireAuthorization()
            .ProblemCodes(400, "invalid_safetensors", "not_a_lora", "unknown_lora_family").ProblemCodes(403, "plan_forbids_feature", "storage_quota_exceeded")
            .ProblemCodes(404, "lora_not_found").ProblemCodes(409, "lora_in_use").ProblemCodes(413, "file_too_large");
        group.MapPost("/", Create).RequireRateLimiting(RateLimits.Submit).DisableAntiforgery()
            .RequestMediaTypes("multipart/form-data").Produces<LoraDto>(StatusCodes.Status201Created).ProblemCodes(400, "validation_failed").ProblemCodes(415, "unsupported_media_type");
        group.MapGet("/", List).AllowApiKey(ApiScopes.Read);
        group.MapGet("/{id:guid}", Get);
        group.MapPatch("/{id:guid}", Rename);
        group.MapDelete("/{id:guid}", Delete);
        return api;
    }

    private static async Task<IResult> Create(HttpContext http, CurrentUser current, LoraService loras, CancellationToken ct)
    {
        var (plan, refusal) = await loras.PlanAsync(current.Id, ct);
        if (refusal is not null)
        {
            return Map(refusal);
        }

        var limit = loras.MaxBytes + FormOverheadBytes;
        if (http.Request.ContentLength > limit)
        {
            return Map(new LoraOutcome.TooLarge($"The request is {http.Request.ContentLength} bytes; a LoRA may have at most {loras.MaxBytes} bytes."));
        }

        // Kestrel's default body limit (30 MB) is below a LoRA's; this endpoint takes up to its own.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limit;
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return Problems.Validation("file", "Send the LoRA as multipart/form-data with a 'file' part (and an optional 'name').");
        }

        var reader = new MultipartReader(boundary, http.Request.Body) { BodyLengthLimit = limit };
        string? name = null;
        LoraReceipt? receipt = null;
        var committed = false;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !(disposition.IsFormDisposition() || disposition.IsFileDisposition()))
                {
                    continue;
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (field == "name" && !disposition.IsFileDisposition())
                {
                    name = await ReadNameAsync(section.Body, ct);
                    if (name is null)
                    {
                        return Problems.Validation("name", $"At most {LoraService.MaxNameLength} characters.");
                    }
                }
                else if (field == "file" && disposition.IsFileDisposition() && receipt is null)
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value is { Length: > 0 } star ? star : HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "";
                    var (received, problem) = await loras.ReceiveAsync(current.Id, plan, fileName, section.Body, http.Request.ContentLength, ct);
                    if (problem is not null)
                    {
                        return Map(problem);
                    }

                    receipt = received;
                }
            }

            if (receipt is null)
            {
                return Problems.Validation("file", "Send the LoRA in a multipart 'file' part.");
            }

            var outcome = await loras.CommitAsync(current.Id, plan, receipt, name, ct);
            committed = true;
            return Map(outcome);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Map(new LoraOutcome.TooLarge($"The request is over {limit} bytes; a LoRA may have at most {loras.MaxBytes} bytes."));
        }
        catch (InvalidDataException ex)
        {
            // Malformed multipart framing, or a part over the limit.
            return Problems.Validation("file", ex.Message);
        }
        finally
        {
            // CommitAsync deletes what it does not keep; a receipt that never got there is discarded here.
            if (receipt is not null && !committed)
            {
                await loras.DiscardAsync(receipt);
            }
        }
    }

    private static async Task<Ok<LoraListDto>> List(CurrentUser current, LoraService loras, CancellationToken ct) =>
        TypedResults.Ok(await loras.ListAsync(current.Id, ct));

    private static async Task<Results<Ok<LoraDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, LoraService loras, CancellationToken ct) =>
        await loras.GetAsync(current.Id, id, ct) is { } lora ? TypedResults.Ok(lora) : NotFound();

    private static async Task<Results<Ok<LoraDto>, ProblemHttpResult>> Rename(Guid id, RenameLora body, CurrentUser current, LoraService loras, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > LoraService.MaxNameLength)
        {
            return Problems.Validation("name", $"A name of 1 to {LoraService.MaxNameLength} characters.");
        }

        return await loras.RenameAsync(current.Id, id, name, ct) is { } lora ? TypedResults.Ok(lora) : NotFound();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, LoraService loras, CancellationToken ct) =>
        await loras.DeleteAsync(current.Id, id, ct) switch
        {
            LoraChange.Done => TypedResults.NoContent(),
            LoraChange.InUse => Problems.Conflict("lora_in_use", "A queued or running generation uses this LoRA; delete it when the generation has finished."),
            _ => NotFound(),
        };

    private static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "lora_not_found", "Not found.", "No such LoRA.");

    private static IResult Map(LoraOutcome outcome) => outcome switch
    {
        LoraOutcome.Created created => TypedResults.Created($"/api/v1/loras/{created.Lora.Id}", created.Lora),
        LoraOutcome.PlanForbids p => Problems.Create(StatusCodes.Status403Forbidden, "plan_forbids_feature", "Not allowed by your plan.", p.Detail,
            new Dictionary<string, object?> { ["feature"] = Core.Plans.PlanFeatures.Loras }),
        LoraOutcome.Invalid i => Problems.Validation(i.Field, i.Detail),
        LoraOutcome.InvalidSafetensors s => Problems.Create(StatusCodes.Status400BadRequest, "invalid_safetensors", "Not a valid .safetensors file.", s.Detail),
        LoraOutcome.NotALora n => Problems.Create(StatusCodes.Status400BadRequest, "not_a_lora", "Not a LoRA.", n.Detail),
        LoraOutcome.UnknownFamily u => Problems.Create(StatusCodes.Status400BadRequest, "unknown_lora_family", "Unsupported LoRA.", u.Detail),
        LoraOutcome.TooLarge t => Problems.Create(StatusCodes.Status413PayloadTooLarge, "file_too_large", "The file is too large.", t.Detail),
        LoraOutcome.OverQuota q => Problems.Forbidden("storage_quota_exceeded", q.Detail),
        _ => throw new InvalidOperationException($"Unknown LoRA outcome {outcome.GetType().Name}."),
    };

    /// <summary>The name part as text, or null when it is longer than a name may be.</summary>
    private static async Task<string?> ReadNameAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[(LoraService.MaxNameLength * 4) + 1];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
            if (total == buffer.Length)
            {
                return null;
            }
        }

        var name = System.Text.Encoding.UTF8.GetString(buffer, 0, total).Trim();
        return name.Length > LoraService.MaxNameLength ? null : name;
    }
}
