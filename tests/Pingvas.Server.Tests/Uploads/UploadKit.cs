using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Uploads;

public sealed record UploadBody(Guid Id, int Width, int Height, string Format, long Bytes, DateTime CreatedAt);

/// <summary>A generation as the kinds tests read it: the fields the job kinds added.</summary>
public sealed record KindGenerationBody(
    Guid Id, string Status, string Kind, string Model, int Width, int Height, int Steps, int BatchSize,
    Guid? InitImageId, Guid? MaskImageId, double? Strength, Guid? ImageId, int? Scale,
    List<ImageRefBody> Images, int ReservedCredits, ErrorBody? Error);

/// <summary>Images to upload and the calls the upload and job-kind tests share.</summary>
public static class UploadKit
{
    /// <summary>A 40×30 baseline JPEG, left half red, right half blue (the engines tests' fixture).</summary>
    public static readonly byte[] Jpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAeACgDAREAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD4vr+Uz/fwKAPIf2qv+YD/ANvX/tGv9VP2Zf8AzVf/AHI/+7h/mv8AtDP+aZ/7nf8A3UPIa/1UP81woA+vK/5Vz/pQCgDyH9qr/mA/9vX/ALRr/VT9mX/zVf8A3I/+7h/mv+0M/wCaZ/7nf/dQ8hr/AFUP81woA+vK/wCVc/6UAoA8h/aq/wCYD/29f+0a/wBVP2Zf/NV/9yP/ALuH+a/7Qz/mmf8Aud/91DyGv9VD/NcKAPryv+Vc/wClAKAPIf2qv+YD/wBvX/tGv9VP2Zf/ADVf/cj/AO7h/mv+0M/5pn/ud/8AdQ8hr/VQ/wA1woA//9k=");

    /// <summary>Deterministic colourful pixels, opaque.</summary>
    public static RgbaImage Noise(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * 4];
        random.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }

        return new RgbaImage(width, height, pixels);
    }

    /// <summary>White (repaint) on the left half, black (keep) on the right.</summary>
    public static RgbaImage LeftHalfMask(int width, int height)
    {
        var pixels = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var o = ((y * width) + x) * 4;
                var v = x < width / 2 ? (byte)255 : (byte)0;
                (pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3]) = (v, v, v, 255);
            }
        }

        return new RgbaImage(width, height, pixels);
    }

    public static byte[] Png(int width, int height, int seed = 1) => PngEncoder.Encode(Noise(width, height, seed));

    public static Task<HttpResponseMessage> PostUploadAsync(this TestUser user, byte[] bytes, string? contentType = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return user.Client.PostAsync("/api/v1/uploads", content);
    }

    public static async Task<UploadBody> UploadAsync(this TestUser user, byte[] bytes, string contentType = "image/png")
    {
        var response = await user.PostUploadAsync(bytes, contentType);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<UploadBody>(Json.Options))!;
    }

    public static async Task<KindGenerationBody> KindGenerationAsync(this TestUser user, Guid id) =>
        (await user.Client.GetFromJsonAsync<KindGenerationBody>($"/api/v1/generations/{id}", Json.Options))!;

    /// <summary>The first image of a finished generation, decoded from its stored PNG.</summary>
    public static async Task<RgbaImage> ResultPixelsAsync(this TestUser user, GenerationBody done)
    {
        var bytes = await user.Client.GetByteArrayAsync($"/api/v1/images/{done.Images.Single().Id}/content");
        Assert.Equal("png", ImageDecoder.Identify(bytes).Format);
        return ImageDecoder.Decode(bytes);
    }
}
