using Google.Protobuf;
using Grpc.Core;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.KServe;
using Xunit.Abstractions;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// Mutated gRPC requests: KServe V2 <c>ModelInfer</c> (shapes, typed and raw contents, BYTES length prefixes,
/// parameters of every type at their edges, outputs) and <c>mobilevit.v1.Classifier</c> (images, top-k, timeouts,
/// priorities). Each gets OK or a client-error status, and the service logs no error.
/// </summary>
public sealed class GrpcFuzzTests(HostileServiceFixture fixture, ITestOutputHelper output) : IClassFixture<HostileServiceFixture>
{
    public const int ModelInferCases = 150;
    public const int ClassifierCases = 60;

    private static readonly byte[] Jpeg = TestImages.Jpeg(48, 40, seed: 7);
    private static readonly byte[] Png = TestImages.Png(40, 48, seed: 8);

    [Fact]
    public async Task Mutated_ModelInfer_requests_get_OK_or_a_client_error_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, ModelInferCases, ModelInferCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        Assert.Empty(fixture.Errors());
    }

    [Fact]
    public async Task Mutated_Classify_requests_get_OK_or_a_client_error_and_log_no_error()
    {
        var failures = await Fuzz.RunAsync(0, ClassifierCases, ClassifyCaseAsync, output);
        Assert.True(failures.Count == 0, Fuzz.Report(failures));
        Assert.Empty(fixture.Errors());
        var ok = await new Classifier.ClassifierClient(fixture.Channel).ClassifyAsync(new ClassifyRequest { Image = ByteString.CopyFrom(Jpeg) });
        Assert.NotEmpty(ok.Predictions);
    }

    private static async Task<FuzzAnswer> CallAsync(string description, bool setTimeout, Func<Task> call)
    {
        try
        {
            await call();
            return new FuzzAnswer(description, 0, "OK") { SetTimeout = setTimeout };
        }
        catch (RpcException e)
        {
            return new FuzzAnswer(description, 0, e.StatusCode.ToString(), e.Status.Detail) { SetTimeout = setTimeout };
        }
    }

    private async Task<FuzzAnswer> ModelInferCaseAsync(int seed)
    {
        var random = new Random(seed);
        var fp32 = random.Next(4) == 0;
        var images = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes)).ToList();
        var input = new ModelInferRequest.Types.InferInputTensor { Name = fp32 ? "pixel_values" : "image", Datatype = fp32 ? "FP32" : "BYTES" };
        var request = new ModelInferRequest { ModelName = HostileServiceFixture.Model, Inputs = { input } };
        var raw = random.Next(2) == 0;
        if (fp32)
        {
            input.Shape.AddRange([1, 3, 256, 256]);
            if (raw)
                request.RawInputContents.Add(ByteString.CopyFrom(new byte[3 * 256 * 256 * 4]));
            else
                input.Contents = new InferTensorContents { Fp32Contents = { new float[3 * 256 * 256] } };
        }
        else
        {
            input.Shape.Add(images.Count);
            if (raw)
                request.RawInputContents.Add(ByteString.CopyFrom(BinaryTensorBody.Elements([.. images])));
            else
                input.Contents = new InferTensorContents { BytesContents = { images.Select(ByteString.CopyFrom) } };
        }
        var applied = new List<string>();
        var setTimeout = false;
        for (var m = 0; m < random.Next(3); m++)
        {
            switch (random.Next(13))
            {
                case 0:
                    input.Shape.Clear();
                    input.Shape.AddRange(Enumerable.Range(0, random.Next(12)).Select(_ => Fuzz.EdgeInteger(random)));
                    applied.Add($"shape [{string.Join(",", input.Shape)}]");
                    break;
                case 1:
                    request.Parameters["timeout"] = Parameter(random);
                    setTimeout = true;
                    applied.Add($"timeout {request.Parameters["timeout"]}");
                    break;
                case 2:
                    request.Parameters["priority"] = Parameter(random);
                    applied.Add($"priority {request.Parameters["priority"]}");
                    break;
                case 3:
                    var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = Fuzz.Pick(random, "logits", "", "x") };
                    output.Parameters["classification"] = Parameter(random);
                    request.Outputs.Add(output);
                    applied.Add($"classification {output.Parameters["classification"]}");
                    break;
                case 4:
                    if (request.RawInputContents.Count > 0)
                    {
                        var bytes = request.RawInputContents[0].ToByteArray();
                        if (bytes.Length >= 4)
                            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)Fuzz.Pick(random, 0L, 1L, uint.MaxValue, bytes.Length, int.MaxValue));
                        request.RawInputContents[0] = ByteString.CopyFrom(bytes[..random.Next(bytes.Length + 1)]);
                        applied.Add("raw contents cut or their length prefix changed");
                    }
                    break;
                case 5:
                    request.RawInputContents.Add(ByteString.CopyFrom(Fuzz.Random(random, random.Next(0, 64))));
                    applied.Add("raw contents without an input");
                    break;
                case 6:
                    for (var i = 0; i < random.Next(1, 20); i++)
                        request.Inputs.Add(input.Clone());
                    applied.Add("inputs repeated");
                    break;
                case 7:
                    input.Datatype = Fuzz.Pick(random, "INT64", "", "FP32", "BYTES", new string('D', 3000));
                    applied.Add("datatype " + Fuzz.Cut(input.Datatype, 10));
                    break;
                case 8:
                    input.Name = Fuzz.EdgeString(random);
                    applied.Add("name");
                    break;
                case 9:
                    input.Contents ??= new InferTensorContents();
                    input.Contents.BytesContents.AddRange(Enumerable.Range(0, random.Next(1, 12)).Select(_ => ByteString.CopyFrom(Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes))));
                    input.Contents.Fp32Contents.AddRange(Enumerable.Range(0, random.Next(0, 5)).Select(_ => Fuzz.Pick(random, float.NaN, float.PositiveInfinity, 1f)));
                    applied.Add("contents added");
                    break;
                case 10:
                    request.ModelVersion = Fuzz.Pick(random, "", "1", "2", "-1", new string('9', 3000));
                    applied.Add("version");
                    break;
                case 11:
                    request.ModelName = Fuzz.Pick(random, "", "nope", new string('m', 3000), HostileServiceFixture.Model);
                    applied.Add("model name");
                    break;
                default:
                    request.Inputs.Clear();
                    applied.Add("no inputs");
                    break;
            }
        }
        var description = $"ModelInfer {(fp32 ? "FP32" : "BYTES")} {(raw ? "raw" : "contents")} ({string.Join(", ", applied)})";
        return await CallAsync(description, setTimeout, () => new GRPCInferenceService.GRPCInferenceServiceClient(fixture.Channel).ModelInferAsync(request).ResponseAsync);
    }

    /// <summary>A parameter of any type; the integers at their edges.</summary>
    private static InferParameter Parameter(Random random) => random.Next(8) switch
    {
        0 => new InferParameter { StringParam = Fuzz.EdgeString(random) },
        1 => new InferParameter { BoolParam = true },
        2 => new InferParameter { Uint64Param = (ulong)Fuzz.Pick(random, 0L, 1L, long.MaxValue) + (ulong)random.Next(2) * (ulong.MaxValue / 2) },
        3 => new InferParameter(),
        _ => new InferParameter { Int64Param = Fuzz.EdgeInteger(random) },
    };

    private async Task<FuzzAnswer> ClassifyCaseAsync(int seed)
    {
        var random = new Random(seed);
        var request = new ClassifyRequest { Image = ByteString.CopyFrom(Fuzz.Image(random, Jpeg, Png, HostileServiceFixture.MaxImageBytes)) };
        var applied = new List<string>();
        var setTimeout = false;
        for (var m = 0; m < random.Next(3); m++)
        {
            switch (random.Next(4))
            {
                case 0:
                    request.TopK = (int)Fuzz.Pick(random, 0L, 1L, -1L, 1000L, 1001L, int.MaxValue, int.MinValue);
                    applied.Add($"top_k {request.TopK}");
                    break;
                case 1:
                    request.Priority = (Priority)Fuzz.Pick(random, -1, 0, 1, 2, 3, 4, 99, int.MaxValue, int.MinValue);
                    applied.Add($"priority {(int)request.Priority}");
                    break;
                case 2:
                    request.Model = Fuzz.Pick(random, "", "nope", new string('m', 3000), HostileServiceFixture.Model);
                    applied.Add("model");
                    break;
                default:
                    request.Image = ByteString.CopyFrom(Fuzz.Random(random, Fuzz.Pick(random, 0, 1, HostileServiceFixture.MaxImageBytes + 1)));
                    applied.Add("image size edge");
                    break;
            }
        }
        var client = new Classifier.ClassifierClient(fixture.Channel);
        return await CallAsync($"Classify ({string.Join(", ", applied)})", setTimeout, () => client.ClassifyAsync(request).ResponseAsync);
    }
}
