using MobileViT.Inference.Classification;

namespace MobileViT.Inference.Tests.Classification;

public sealed class TopValuesTests
{
    [Fact]
    public void The_protocol_documents_example_ranks_by_value()
    {
        // Triton's classification extension: [1, 5, 10, 4] -> top 2 by index [2, 1].
        Assert.Equal([2, 1], TopValues.Indices([1f, 5f, 10f, 4f], 2));
    }

    [Fact]
    public void Agrees_with_a_full_sort_on_random_rows_ties_keeping_the_lower_index_first()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 50; trial++)
        {
            // Values from a small set, so ties are common.
            var row = Enumerable.Range(0, 1000).Select(_ => (float)random.Next(-50, 50) / 4).ToArray();
            var n = random.Next(1, 20);
            var expected = row.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(n).Select(p => p.i);

            Assert.Equal(expected, TopValues.Indices(row, n));
        }
    }

    [Fact]
    public void N_beyond_the_length_is_every_index()
    {
        Assert.Equal([1, 0], TopValues.Indices([1f, 2f], 5));
        Assert.Empty(TopValues.Indices([1f, 2f], 0));
    }
}
