using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>One fuzz case's result: what was sent (for the failure report), and the answer as a status.</summary>
public sealed record FuzzAnswer(string Case, int HttpStatus, string? GrpcStatus = null, string Detail = "")
{
    /// <summary>
    /// A timeout the case set itself may pass while the request waits, or be too short to meet at all: then a deadline
    /// answer is the right one (504 / DEADLINE_EXCEEDED, or refused at admission: 429 / RESOURCE_EXHAUSTED).
    /// </summary>
    public bool SetTimeout { get; init; }

    /// <summary>Success, or a client error: 4xx, or its gRPC equivalents.</summary>
    public bool IsAcceptable => GrpcStatus is { } grpc
        ? grpc is "OK" or "InvalidArgument" or "NotFound" or "OutOfRange" or "FailedPrecondition" || (SetTimeout && grpc is "DeadlineExceeded" or "ResourceExhausted")
        : HttpStatus is 200 or (>= 400 and < 500) || (SetTimeout && HttpStatus == 504);
}

/// <summary>
/// Seeded, structure-aware mutation: each case is a pure function of its seed, so a failing seed replays exactly. The
/// values are those at the edges of their types (and of the service's limits), where readers break. A seed that
/// fails is kept as an <c>InlineData</c> of its class's regression theory, and replayed on every run.
/// </summary>
public static class Fuzz
{
    /// <summary>
    /// Runs the cases of seeds [first, first + count) a few at a time; returns the unacceptable answers, and writes how
    /// many cases got each answer to <paramref name="output"/>.
    /// </summary>
    public static async Task<List<(int Seed, FuzzAnswer Answer)>> RunAsync(int first, int count, Func<int, Task<FuzzAnswer>> run,
        ITestOutputHelper? output = null, int parallelism = 4)
    {
        var failures = new List<(int, FuzzAnswer)>();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (seed, _) =>
        {
            FuzzAnswer answer;
            try
            {
                answer = await run(seed);
            }
            catch (Exception e)
            {
                answer = new FuzzAnswer("(the client threw)", 0, Detail: e.GetType().Name + ": " + e.Message);
            }
            answers.AddOrUpdate(answer.GrpcStatus ?? answer.HttpStatus.ToString(), 1, (_, n) => n + 1);
            if (Environment.GetEnvironmentVariable("FUZZ_DEBUG") is not null) answers.AddOrUpdate("  " + System.Text.RegularExpressions.Regex.Replace(Cut(answer.Detail, 70), "[0-9]+", "N"), 1, (_, n) => n + 1);
            if (!answer.IsAcceptable)
            {
                lock (failures)
                    failures.Add((seed, answer));
            }
        });
        output?.WriteLine($"{count} cases in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s: " +
            string.Join(Environment.GetEnvironmentVariable("FUZZ_DEBUG") is not null ? "\n" : ", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key} x {a.Value}")));
        return failures;
    }

    public static string Report(IEnumerable<(int Seed, FuzzAnswer Answer)> failures) => string.Join("\n", failures.OrderBy(f => f.Seed).Select(f =>
        $"seed {f.Seed}: {f.Answer.GrpcStatus ?? f.Answer.HttpStatus.ToString()} for {f.Answer.Case}: {Cut(f.Answer.Detail, 300)}"));

    public static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    /// <summary>64-bit integers at the edges: of their type, of smaller types, of the service's limits, and the small ones.</summary>
    public static readonly long[] EdgeIntegers =
    [
        0, 1, -1, 2, 3, 4, 5, 7, 8, 64, 255, 256, 1000, 65535, 65536, 300_000, 1_000_000, 16_777_216, 1L << 30, 2_147_483_000, int.MaxValue, (long)int.MaxValue + 1, int.MinValue,
        uint.MaxValue, (long)uint.MaxValue + 1, 1L << 53, long.MaxValue, long.MaxValue - 1, long.MinValue, long.MinValue + 1, -(1L << 31),
        9_223_372_036_854_775_000,
    ];

    public static long EdgeInteger(Random random) => EdgeIntegers[random.Next(EdgeIntegers.Length)];

    /// <summary>A JSON value where a number is expected: usually an edge integer, sometimes something that is not one.</summary>
    public static JsonNode? EdgeNumberNode(Random random) => random.Next(12) switch
    {
        0 => JsonValue.Create(1.5),
        1 => JsonValue.Create("7"),
        2 => JsonValue.Create(true),
        3 => null,
        4 => new JsonArray(1, 2),
        5 => JsonValue.Create(1e30),
        6 => JsonValue.Create(-0.0),
        _ => JsonValue.Create(EdgeInteger(random)),
    };

    public static string EdgeString(Random random) => random.Next(8) switch
    {
        0 => "",
        1 => new string('x', 5000),
        2 => "image",
        3 => "pixel_values",
        4 => "\u0000\uffff",
        5 => "BYTES",
        6 => "FP32",
        _ => "logits",
    };

    public static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    /// <summary>A valid small image, or one broken in the ways decoders meet: cut, bytes flipped, dimensions at their edges, not an image.</summary>
    public static byte[] Image(Random random, byte[] jpeg, byte[] png, int maxImageBytes) => random.Next(12) switch
    {
        0 => jpeg[..random.Next(jpeg.Length)],
        1 => Flip(random, jpeg),
        2 => WithJpegSize(jpeg, (ushort)Pick(random, 0, 1, 65535, 65500), (ushort)Pick(random, 0, 1, 65535, 3)),
        3 => WithPngSize(png, (uint)Pick(random, 0L, 1L, int.MaxValue, uint.MaxValue, 60_000L), (uint)Pick(random, 0L, 1L, int.MaxValue, 60_000L)),
        4 => [],
        5 => Random(random, random.Next(1, 5000)),
        6 => [.. jpeg, .. Random(random, maxImageBytes)],
        7 => png[..random.Next(png.Length)],
        8 => Flip(random, png),
        9 => png,
        _ => jpeg,
    };

    public static byte[] Random(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] Flip(Random random, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < 1 + random.Next(8) && copy.Length > 0; i++)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    /// <summary>The JPEG with its frame header (SOF0/SOF2) claiming another height and width.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, ushort height, ushort width)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i + 9 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] is 0xC0 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), width);
                break;
            }
        }
        return copy;
    }

    /// <summary>The PNG with its IHDR claiming another width and height (the CRC is left as it was).</summary>
    public static byte[] WithPngSize(byte[] png, uint width, uint height)
    {
        var copy = (byte[])png.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(20), height);
        return copy;
    }

    /// <summary>The text with one of its properties written twice (as JSON allows, and readers disagree on).</summary>
    public static string DuplicateProperty(Random random, string json, string property)
    {
        var at = json.IndexOf($"\"{property}\":", StringComparison.Ordinal);
        if (at < 0)
            return json;
        return json[..at] + $"\"{property}\":{Pick(random, "[]", "null", "{}", "1", "\"x\"")}," + json[at..];
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
