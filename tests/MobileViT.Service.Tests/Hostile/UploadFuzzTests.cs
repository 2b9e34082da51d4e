using System.Text;
using MobileViT.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// Mutated image uploads on the three upload endpoints: raw bodies (images broken and with dimensions at their edges,
/// media types, chunked or not, over the limit) with top-k, timeout and priority at their edges, and multipart bodies
/// (boundaries of every length, parts too many, unnamed, with headers too long or too many, unterminated, cut short).
/// Each gets a success or a 4xx, and the service logs no error.
/// </summary>
public sealed class UploadFuzzTests(HostileServiceFixture fixture, ITestOutputHelper output) : IClassFixture<HostileServiceFixture>
{
    public const int RawCases = 120;
    public const int MultipartCases = 120;

    private static readonly byte[] Jpeg = TestImages.Jpeg(48, 40, seed: 9);
    private static readonly byte[] Png = TestImages.Png(40, 48, seed: 10);

    private static readonly string[] Paths =
        ["/v1/classify", $"/v1/models/{HostileServiceFixture.Model}/classify", $"/v1/models/{HostileServiceFixture.Model}/classify/batch", $"/v1/models/{HostileServiceFixture.Model}/preprocess"];

    [Fact]
    public async Task Mutated_raw_image_bodies_get_a_success_or_a_4xx_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, RawCases, RawCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Mutated_multipart_bodies_get_a_success_or_a_4xx_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, MultipartCases, MultipartCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        await AssertHealthyAsync();
    }

    private async Task AssertHealthyAsync()
    {
        Assert.Empty(fixture.Errors());
        var ok = await fixture.Raw.SendAsync("/v1/classify", [("Content-Type", "image/jpeg")], Jpeg, Jpeg.Length);
        Assert.True(ok.Status == 200, ok.Body);
    }

    /// <summary>Query parameters and headers of v1 classify, sometimes at their edges.</summary>
    private static (string Query, List<(string, string)> Headers, bool SetTimeout) Parameters(Random random)
    {
        var query = new List<string>();
        var headers = new List<(string, string)>();
        var setTimeout = false;
        if (random.Next(3) == 0)
            query.Add("topK=" + Fuzz.Pick(random, "0", "-1", "1", "5", "1000", "1001", "2147483647", "2147483648", "-2147483649", "abc", "1e3", "", "5&topK=6"));
        if (random.Next(4) == 0)
        {
            query.Add("timeoutMs=" + Fuzz.Pick(random, "0", "-1", "1", "2147483647", "2147483648", "99999999999999999999", "x"));
            setTimeout = true;
        }
        if (random.Next(4) == 0)
        {
            headers.Add(("x-request-timeout-ms", Fuzz.Pick(random, "0", "-1", "1", "2147483647", "-2147483648", "9223372036854775807", "", "1.5", new string('9', 5000))));
            setTimeout = true;
        }
        if (random.Next(4) == 0)
            headers.Add(("x-request-priority", Fuzz.Pick(random, "high", "LOW", "", "urgent", new string('p', 5000), "normal, high")));
        return (query.Count == 0 ? "" : "?" + string.Join("&", query), headers, setTimeout);
    }

    private async Task<FuzzAnswer> RawCaseAsync(int seed)
    {
        var random = new Random(seed);
        var path = Fuzz.Pick(random, Paths);
        var (query, headers, setTimeout) = Parameters(random);
        var contentType = random.Next(4) == 0
            ? Fuzz.Pick(random, "text/plain", "", "image/", "image/jpeg; charset=\"x", "application/octet-stream", new string('t', 3000), "multipart/form-data")
            : Fuzz.Pick(random, "image/jpeg", "image/png");
        headers.Add(("Content-Type", contentType));
        var body = random.Next(8) == 0
            ? Fuzz.Random(random, HostileServiceFixture.MaxImageBytes + Fuzz.Pick(random, 1, 64 * 1024, 100_000))
            : Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes);
        var chunked = random.Next(3) == 0;
        var response = await fixture.Raw.SendAsync(path + query, headers, body, chunked ? null : body.Length);
        return new FuzzAnswer($"raw {path}{Fuzz.Cut(query, 80)} {Fuzz.Cut(contentType, 40)}, {body.Length} bytes{(chunked ? ", chunked" : "")}, " +
                              $"headers {Fuzz.Cut(string.Join(";", headers.Select(h => h.Item1 + "=" + h.Item2)), 120)}", response.Status, Detail: response.Body)
        {
            SetTimeout = setTimeout,
        };
    }

    private async Task<FuzzAnswer> MultipartCaseAsync(int seed)
    {
        var random = new Random(seed);
        var path = Fuzz.Pick(random, Paths);
        var (query, headers, setTimeout) = Parameters(random);
        var boundary = random.Next(4) == 0
            ? Fuzz.Pick(random, "b", new string('b', 70), new string('b', 71), new string('b', 5000), "with space", "\"quoted\"", "x\u00e9")
            : "fuzz-boundary-" + seed;
        var applied = new List<string>();
        var body = new MemoryStream();
        var parts = random.Next(6) == 0 ? random.Next(5, 12) : random.Next(0, 4);
        if (random.Next(8) == 0)
        {
            body.Write(Fuzz.Random(random, random.Next(1, 300)));
            applied.Add("preamble");
        }
        for (var i = 0; i < parts; i++)
        {
            var field = random.Next(6) == 0 ? Fuzz.Pick(random, "note", "", "IMAGES", "image\"; filename=\"x") : random.Next(2) == 0 ? "image" : "images";
            var headerLines = new StringBuilder($"--{boundary}\r\n");
            switch (random.Next(10))
            {
                case 0:
                    headerLines.Append("Content-Disposition: attachment\r\n");
                    applied.Add("not form-data");
                    break;
                case 1:
                    headerLines.Append($"Content-Disposition: form-data; name=\"{field}\"; filename=\"{new string('f', 20_000)}\"\r\n");
                    applied.Add("header over 16 KiB");
                    break;
                case 2:
                    for (var h = 0; h < 40; h++)
                        headerLines.Append($"X-H{h}: {h}\r\n");
                    headerLines.Append($"Content-Disposition: form-data; name=\"{field}\"\r\n");
                    applied.Add("40 headers");
                    break;
                case 3:
                    headerLines.Append("no colon here\r\n");
                    applied.Add("malformed header");
                    break;
                default:
                    headerLines.Append($"Content-Disposition: form-data; name=\"{field}\"; filename=\"{i}.jpg\"\r\nContent-Type: image/jpeg\r\n");
                    break;
            }
            headerLines.Append("\r\n");
            body.Write(Encoding.UTF8.GetBytes(headerLines.ToString()));
            body.Write(random.Next(10) == 0 ? Fuzz.Random(random, HostileServiceFixture.MaxImageBytes + 1) : Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes));
            body.Write("\r\n"u8);
        }
        switch (random.Next(6))
        {
            case 0:
                applied.Add("no closing boundary");
                break;
            case 1:
                body.Write(Encoding.UTF8.GetBytes($"--{boundary}--\r\n"));
                body.Write(Fuzz.Random(random, random.Next(1, 300)));
                applied.Add("epilogue");
                break;
            default:
                body.Write(Encoding.UTF8.GetBytes($"--{boundary}--\r\n"));
                break;
        }
        var bytes = body.ToArray();
        if (random.Next(8) == 0)
        {
            bytes = bytes[..random.Next(bytes.Length + 1)];
            applied.Add("cut short");
        }
        var contentType = random.Next(10) == 0
            ? Fuzz.Pick(random, "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"", "multipart/mixed; boundary=" + boundary)
            : $"multipart/form-data; boundary={boundary}";
        headers.Add(("Content-Type", contentType));
        var chunked = random.Next(3) == 0;
        var response = await fixture.Raw.SendAsync(path + query, headers, bytes, chunked ? null : bytes.Length);
        return new FuzzAnswer($"multipart {path}{Fuzz.Cut(query, 80)}: {parts} part(s), boundary of {boundary.Length}, {Fuzz.Cut(contentType, 60)} " +
                              $"({string.Join(", ", applied)}){(chunked ? ", chunked" : "")}", response.Status, Detail: response.Body)
        {
            SetTimeout = setTimeout,
        };
    }
}
