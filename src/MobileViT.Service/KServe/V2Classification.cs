using System.Globalization;
using MobileViT.Inference.Classification;

namespace MobileViT.Service.KServe;

/// <summary>
/// The classification extension: the N largest values of an output row as <c>"value:index:label"</c>, largest first.
/// The value is the output's own value (a logit here, as Triton compares the tensor's values); no softmax.
/// </summary>
internal static class V2Classification
{
    public static IEnumerable<string> Of(ReadOnlySpan<float> row, IReadOnlyList<string> labels, int count)
    {
        var top = TopValues.Indices(row, count);
        var strings = new string[top.Length];
        for (var i = 0; i < top.Length; i++)
        {
            var index = top[i];
            var value = row[index].ToString(CultureInfo.InvariantCulture);
            strings[i] = index < labels.Count ? $"{value}:{index}:{labels[index]}" : $"{value}:{index}";
        }
        return strings;
    }
}
