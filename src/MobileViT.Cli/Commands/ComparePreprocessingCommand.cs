using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Cli.Commands;

/// <summary>
/// <c>compare-preprocessing --images DIR [--model DIR]</c>: how far fast mode's tensors are from exact mode's, per JPEG,
/// and, with a model, how far its logits and top-5 move (the same probe as the shared fixtures' probe_logits).
/// </summary>
public sealed class ComparePreprocessingCommand : ICliCommand
{
    public string Name => "compare-preprocessing";

    public string Summary => "Measure fast preprocessing mode against exact mode (pixels, and a model's logits).";

    public string Usage =>
        """
        usage: mobilevit compare-preprocessing --images DIR [--model DIR]

          --images  directory of JPEG files (e.g. the output of benchmarks/make_phone_photo.py beside benchmarks/images)
          --model   model directory with preprocessor_config.json and onnx/model.onnx (e.g. ../shared/fixtures/mobilevit-xxs-seed7):
                    also compares the logits and top-5 classes of the two tensors
        Reports per image the JPEG's DCT scale in fast mode, mean and max |fast - exact| in 1/255 units, the share of
        values that differ, and with --model the largest logit difference and whether top-1 and the top-5 set agree.
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "images", "model");
        var directory = options.Required("images");
        if (!Directory.Exists(directory))
            throw new UsageException($"--images: directory '{directory}' does not exist.");
        var modelDirectory = options.Get("model");
        var config = modelDirectory is null
            ? PreprocessorConfig.MobileViTDefault
            : PreprocessorConfig.FromJson(File.ReadAllText(Path.Combine(modelDirectory, "preprocessor_config.json")));
        using var session = modelDirectory is null ? null : new InferenceSession(Path.Combine(modelDirectory, "onnx", "model.onnx"));

        var exact = new ImagePreprocessor(config, long.MaxValue, PreprocessingMode.Exact);
        var fast = new ImagePreprocessor(config, long.MaxValue, PreprocessingMode.Fast);
        output.WriteLine($"{"image",-28}{"size",-12}{"scale",6}{"mean/255",10}{"max/255",9}{"differ",8}{(session is null ? "" : $"{"max dlogit",12}{"top1",6}{"top5",6}")}");
        foreach (var path in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(path);
            var header = ImagePreprocessor.ReadHeader(bytes);
            var a = new float[exact.OutputLength];
            var b = new float[fast.OutputLength];
            exact.Preprocess(bytes, a);
            fast.Preprocess(bytes, b);
            var difference = TensorDifference.Between(b, a);
            int denominator = fast.DecodeScaleDenominator(header);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(path),-28}{$"{header.Width}x{header.Height}",-12}{"1/" + denominator,6}{difference.MeanPer255,10:0.000}{difference.MaxPer255,9:0.0}{100 * difference.DifferingShare,7:0.0}%");
            if (session is not null)
            {
                var (la, lb) = (Logits(session, a, config), Logits(session, b, config));
                double dlogit = la.Zip(lb, (x, y) => Math.Abs(x - y)).Max();
                var (ta, tb) = (Top(la, 5), Top(lb, 5));
                line += string.Create(CultureInfo.InvariantCulture, $"{dlogit,12:0.0000}{(ta[0] == tb[0] ? "same" : "DIFF"),6}{(ta.Order().SequenceEqual(tb.Order()) ? "same" : "DIFF"),6}");
            }
            output.WriteLine(line);
        }
        return CliApp.ExitSuccess;
    }

    private static float[] Logits(InferenceSession session, float[] input, PreprocessorConfig config)
    {
        var tensor = new DenseTensor<float>(input, [1, 3, config.CropHeight, config.CropWidth]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor)]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    private static int[] Top(float[] logits, int k) =>
        logits.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(k).Select(p => p.i).ToArray();
}
