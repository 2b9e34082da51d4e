using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>Checks on a V2 input's declared shape, before anything is allocated from it.</summary>
internal static class V2TensorShape
{
    /// <summary>More than any tensor this service takes ([N,3,H,W]) or any client sends; longer shapes are refused unread.</summary>
    public const int MaxDimensions = 8;

    /// <summary>The number of elements the shape declares; throws for negative dimensions or a product beyond <paramref name="maxElements"/>, without overflowing.</summary>
    public static long ElementCount(string input, IReadOnlyList<long> shape, long maxElements)
    {
        if (shape.Count > MaxDimensions)
            throw new InvalidRequestException($"Input '{ClientText.Excerpt(input)}' has a shape of {shape.Count} dimensions; at most {MaxDimensions} are accepted.", ErrorCodes.InvalidTensor);
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
                throw new InvalidRequestException($"Input '{ClientText.Excerpt(input)}' has a negative dimension in its shape {ClientText.Shape(shape)}.", ErrorCodes.InvalidTensor);
            if (dimension != 0 && count > maxElements / dimension)
            {
                throw new InvalidRequestException(
                    $"Input '{ClientText.Excerpt(input)}' of shape {ClientText.Shape(shape)} declares more than {maxElements} elements, more than a request may carry.", ErrorCodes.InvalidTensor);
            }
            count *= dimension;
        }
        return count;
    }
}
