using System.Collections.Concurrent;
using System.Text;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>One span as an OTLP exporter sent it; ids in lower-case hex as in a traceparent, empty parent for a root.</summary>
public sealed record OtlpSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A loopback OTLP/HTTP trace receiver, faithful to the protocol: <c>POST /v1/traces</c> with an
/// <c>application/x-protobuf</c> ExportTraceServiceRequest, answered with an empty (successful)
/// ExportTraceServiceResponse. The body is decoded by a minimal protobuf wire-format reader that
/// knows only the fields a test looks at (service name, ids, parent, name, string/int attributes).
/// </summary>
public sealed class TracingOtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<OtlpSpan> spans = new();
    private readonly ConcurrentQueue<string> refusals = new();

    private TracingOtlpReceiver(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<OtlpSpan> Spans => [.. spans];

    /// <summary>Requests that were not OTLP/HTTP protobuf (wrong path, method or content type): a test expects none.</summary>
    public IReadOnlyList<string> Refusals => [.. refusals];

    public static async Task<TracingOtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TracingOtlpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method != "POST" || request.Path != "/v1/traces" || request.ContentType != "application/x-protobuf")
        {
            refusals.Enqueue($"{request.Method} {request.Path} {request.ContentType}");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        foreach (var span in Decode(body.ToArray()))
        {
            spans.Enqueue(span);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }.</summary>
    public static List<OtlpSpan> Decode(byte[] request)
    {
        var result = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }; Resource { repeated KeyValue attributes = 1 }.
            var service = "";
            var fields = Fields(resourceSpans).ToList();
            foreach (var (_, resource) in fields.Where(f => f.Field == 1))
            {
                service = Attributes(resource, 1).GetValueOrDefault("service.name", service);
            }

            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }.
            foreach (var (_, scopeSpans) in fields.Where(f => f.Field == 2))
            {
                foreach (var (_, span) in Fields(scopeSpans).Where(f => f.Field == 2))
                {
                    result.Add(ReadSpan(service, span));
                }
            }
        }

        return result;
    }

    /// <summary>Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9 }.</summary>
    private static OtlpSpan ReadSpan(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
            }
        }

        return new OtlpSpan(service, traceId, spanId, parent, name, Attributes(span, 9));
    }

    /// <summary>KeyValue { string key = 1; AnyValue value = 2 }; AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3 }.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (_, keyValue) in Fields(message).Where(f => f.Field == field))
        {
            string key = "", text = "";
            foreach (var (kvField, kvValue) in Fields(keyValue))
            {
                if (kvField == 1)
                {
                    key = Encoding.UTF8.GetString(kvValue);
                }
                else if (kvField == 2)
                {
                    foreach (var (valueField, raw) in FieldsWithVarints(kvValue))
                    {
                        text = raw.Bytes is { } bytes ? Encoding.UTF8.GetString(bytes) : raw.Varint.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }

            attributes[key] = text;
        }

        return attributes;
    }

    /// <summary>The length-delimited fields of a message (wire type 2), others skipped.</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message) =>
        FieldsWithVarints(message).Where(f => f.Value.Bytes is not null).Select(f => (f.Field, f.Value.Bytes!));

    /// <summary>Every field: its bytes for wire type 2, its number for a varint; fixed-width fields are skipped.</summary>
    private static IEnumerable<(int Field, (byte[]? Bytes, long Varint) Value)> FieldsWithVarints(byte[] message)
    {
        var at = 0;
        var found = new List<(int, (byte[]?, long))>();
        while (at < message.Length)
        {
            var tag = ReadVarint(message, ref at);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    found.Add((field, (null, (long)ReadVarint(message, ref at))));
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    found.Add((field, (message[at..(at + length)], 0)));
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} at byte {at}.");
            }
        }

        return found;
    }

    private static ulong ReadVarint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
