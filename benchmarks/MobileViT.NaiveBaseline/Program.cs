// The naive baseline: one InferenceSession with default options, Session.Run per request, no batching, no queue,
// no pooling. Same model and same (HF-exact) preprocessing as the service, so the comparison isolates serving.
// Usage: dotnet run -c Release --project benchmarks/MobileViT.NaiveBaseline -- --urls http://127.0.0.1:5100 [--source synthetic:xxs]
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Sources;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var source = builder.Configuration["source"] ?? "synthetic:xxs";
using var http = new HttpClient();
var model = await new ModelSourceResolver(
        new HuggingFaceHubClient(http, HuggingFaceHubSettings.Resolve(new HuggingFaceOptions()), NullLogger<HuggingFaceHubClient>.Instance),
        fallbackToSynthetic: false, NullLogger<ModelSourceResolver>.Instance)
    .ResolveAsync(new ModelOptions { Name = "naive", Source = source }, CancellationToken.None);
using var session = new InferenceSession(model.OnnxModel);
var preprocessor = new ImagePreprocessor(model.Preprocessor, 40_000_000);

var app = builder.Build();
app.MapPost("/v1/classify", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    var pixels = new float[preprocessor.OutputLength];
    try
    {
        preprocessor.Preprocess(body.ToArray(), pixels);
    }
    catch (InvalidImageException e)
    {
        return Results.Problem(e.Message, statusCode: 400);
    }
    var input = new DenseTensor<float>(pixels, [1, 3, preprocessor.OutputHeight, preprocessor.OutputWidth]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixel_values", input)]);
    var logits = results[0].AsEnumerable<float>().ToArray();
    return Results.Ok(new { model = "naive", synthetic = model.Synthetic, predictions = TopKClassifier.Classify(logits, model.Labels, 5) });
});
app.Run();
