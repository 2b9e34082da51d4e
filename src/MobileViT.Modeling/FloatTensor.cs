namespace MobileViT.Modeling;

/// <summary>A dense row-major float32 tensor (a network parameter).</summary>
internal sealed class FloatTensor
{
    public FloatTensor(int[] shape, float[] data)
    {
        long count = 1;
        foreach (var d in shape)
            count *= d;
        if (count != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] needs {count} values, got {data.Length}.");
        Shape = shape;
        Data = data;
    }

    public int[] Shape { get; }

    public float[] Data { get; }

    public static FloatTensor Zeros(int[] shape)
    {
        long count = 1;
        foreach (var d in shape)
            count *= d;
        return new FloatTensor(shape, new float[count]);
    }

    public static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
