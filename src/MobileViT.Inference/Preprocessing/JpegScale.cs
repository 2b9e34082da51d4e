namespace MobileViT.Inference.Preprocessing;

/// <summary>The reduced DCT scale fast mode decodes JPEGs at.</summary>
internal static class JpegScale
{
    /// <summary>
    /// The largest denominator of 2, 4 or 8 (libjpeg's scale 1/d) whose scaled short side, <c>ceil(side / d)</c> as
    /// libjpeg rounds it, is still at least twice <paramref name="shortestEdge"/>; 1 when none is.
    /// </summary>
    public static int Denominator(int width, int height, int shortestEdge)
    {
        long shortSide = Math.Min(width, height);
        for (int denominator = 8; denominator > 1; denominator >>= 1)
        {
            if (Scaled(shortSide, denominator) >= 2L * shortestEdge)
                return denominator;
        }
        return 1;
    }

    /// <summary>libjpeg's scaled dimension (TJSCALED): <c>ceil(size / denominator)</c>.</summary>
    public static int Scaled(long size, int denominator) => (int)((size + denominator - 1) / denominator);
}
