using System.Buffers.Binary;
using System.Text;

namespace MobileViT.Modeling;

/// <summary>A storage reference from a PyTorch checkpoint's persistent id: ('storage', torch.XStorage, key, location, numel).</summary>
internal sealed record StorageRecord(string DataType, string Key, long ElementCount);

/// <summary>A tensor from <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)</c>.</summary>
internal sealed record TensorRecord(StorageRecord Storage, long Offset, IReadOnlyList<long> Size, IReadOnlyList<long> Stride);

/// <summary>A pickled dict or OrderedDict, in insertion order.</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = [];
}

/// <summary>
/// Interprets the pickle opcodes a PyTorch state dict uses (protocols 2 to 4) without executing anything: the only
/// callables are <c>collections.OrderedDict</c> (an empty dict) and <c>torch._utils._rebuild_tensor_v2</c> (a
/// <see cref="TensorRecord"/>), the only other globals the <c>torch.*Storage</c> types inside persistent ids. Every
/// other global, opcode or persistent id is an <see cref="InvalidDataException"/> naming what was refused.
/// </summary>
internal static class RestrictedUnpickler
{
    private const int MaxDimensions = 8;

    private sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private sealed class Mark;

    private static readonly Mark TheMark = new();

    private static readonly HashSet<string> StorageTypes = new(StringComparer.Ordinal)
    {
        "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage",
        "CharStorage", "ByteStorage", "BoolStorage",
    };

    public static object? Load(byte[] pickle, string whereForErrors)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<long, object?>();
        var position = 0;

        InvalidDataException Refuse(string what) => new($"{whereForErrors}: refused to load: {what}; only tensors and dicts of tensors are accepted.");
        InvalidDataException Corrupt(string what) => new($"{whereForErrors}: corrupt pickle at byte {position}: {what}.");

        ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || position + count > pickle.Length)
                throw Corrupt("truncated");
            var span = pickle.AsSpan(position, count);
            position += count;
            return span;
        }

        object? Pop()
        {
            if (stack.Count == 0)
                throw Corrupt("stack underflow");
            var value = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return value;
        }

        object? Top() => stack.Count > 0 ? stack[^1] : throw Corrupt("stack underflow");

        List<object?> PopToMark()
        {
            var mark = stack.LastIndexOf(TheMark);
            if (mark < 0)
                throw Corrupt("no mark");
            var items = stack.GetRange(mark + 1, stack.Count - mark - 1);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }

        string Line()
        {
            var end = Array.IndexOf(pickle, (byte)'\n', position);
            if (end < 0)
                throw Corrupt("unterminated line");
            var text = Encoding.ASCII.GetString(pickle, position, end - position);
            position = end + 1;
            return text;
        }

        object? Memo(long key) => memo.TryGetValue(key, out var value) ? value : throw Corrupt($"memo key {key} unset");

        void SetItems(List<object?> items)
        {
            if (Top() is not PickleDict dict)
                throw Refuse("setting items on something other than a dict");
            if (items.Count % 2 != 0)
                throw Corrupt("odd number of dict items");
            for (var i = 0; i < items.Count; i += 2)
                dict.Items.Add(new(items[i], items[i + 1]));
        }

        while (true)
        {
            var opcode = Take(1)[0];
            switch (opcode)
            {
                case 0x80: Take(1); break;                                         // PROTO
                case 0x95: Take(8); break;                                         // FRAME
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw Corrupt("stack not a single value at STOP"); // STOP
                case (byte)'(': stack.Add(TheMark); break;                         // MARK
                case (byte)'}': stack.Add(new PickleDict()); break;                // EMPTY_DICT
                case (byte)')': stack.Add(Array.Empty<object?>()); break;          // EMPTY_TUPLE
                case (byte)']': stack.Add(new List<object?>()); break;             // EMPTY_LIST
                case (byte)'N': stack.Add(null); break;                            // NONE
                case 0x88: stack.Add(true); break;                                 // NEWTRUE
                case 0x89: stack.Add(false); break;                                // NEWFALSE
                case (byte)'K': stack.Add((long)Take(1)[0]); break;                // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;   // BININT
                case 0x8a:                                                         // LONG1
                {
                    var length = Take(1)[0];
                    if (length > 8)
                        throw Refuse("an integer wider than 64 bits");
                    var bytes = Take(length);
                    long value = length > 0 && (bytes[^1] & 0x80) != 0 ? -1 : 0;
                    for (var i = length - 1; i >= 0; i--)
                        value = (value << 8) | bytes[i];
                    stack.Add(value);
                    break;
                }
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINUNICODE
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(Take(1)[0]))); break; // SHORT_BINUNICODE
                case (byte)'t': stack.Add(PopToMark().ToArray()); break;           // TUPLE
                case 0x85: stack.Add(new[] { Pop() }); break;                      // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }                 // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'q': memo[Take(1)[0]] = Top(); break;                   // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Top(); break;                        // MEMOIZE
                case (byte)'h': stack.Add(Memo(Take(1)[0])); break;                // BINGET
                case (byte)'j': stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case (byte)'s': { var value = Pop(); var key = Pop(); SetItems([key, value]); break; }      // SETITEM
                case (byte)'u': SetItems(PopToMark()); break;                      // SETITEMS
                case (byte)'a': { var item = Pop(); (Top() as List<object?> ?? throw Refuse("appending to something other than a list")).Add(item); break; } // APPEND
                case (byte)'e': { var items = PopToMark(); (Top() as List<object?> ?? throw Refuse("appending to something other than a list")).AddRange(items); break; } // APPENDS
                case (byte)'c':                                                    // GLOBAL
                {
                    var module = Line();
                    stack.Add(CheckGlobal(new Global(module, Line()), Refuse));
                    break;
                }
                case 0x93:                                                         // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Corrupt("STACK_GLOBAL without a name");
                    var module = Pop() as string ?? throw Corrupt("STACK_GLOBAL without a module");
                    stack.Add(CheckGlobal(new Global(module, name), Refuse));
                    break;
                }
                case (byte)'Q': stack.Add(Storage(Pop(), Refuse)); break;          // BINPERSID
                case (byte)'R':                                                    // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Corrupt("REDUCE without an argument tuple");
                    var callable = Pop() as Global ?? throw Refuse("calling something that is not an allowed global");
                    stack.Add(Call(callable, args, Refuse));
                    break;
                }
                case (byte)'b':                                                    // BUILD: state on an OrderedDict (its _metadata), ignored
                {
                    Pop();
                    if (Top() is not PickleDict)
                        throw Refuse("setting the state of an object other than a dict");
                    break;
                }
                default:
                    throw Refuse($"pickle opcode 0x{opcode:x2} ('{(char)opcode}')");
            }
        }
    }

    private static Global CheckGlobal(Global global, Func<string, InvalidDataException> refuse) => global switch
    {
        { Module: "collections", Name: "OrderedDict" } => global,
        { Module: "torch._utils", Name: "_rebuild_tensor_v2" } => global,
        { Module: "torch", Name: var name } when StorageTypes.Contains(name) => global,
        _ => throw refuse($"the global {global}"),
    };

    private static object Call(Global callable, object?[] args, Func<string, InvalidDataException> refuse)
    {
        if (callable is { Module: "collections", Name: "OrderedDict" } && args.Length == 0)
            return new PickleDict();
        if (callable is { Module: "torch._utils", Name: "_rebuild_tensor_v2" }
            && args.Length >= 4 && args[0] is StorageRecord storage && args[1] is long offset
            && args[2] is object?[] size && args[3] is object?[] stride && size.Length == stride.Length && size.Length <= MaxDimensions
            && size.All(d => d is >= 0L) && stride.All(s => s is long))
            return new TensorRecord(storage, offset, size.Cast<long>().ToArray(), stride.Cast<long>().ToArray());
        throw refuse($"a call of {callable} with arguments it does not take in a state dict");
    }

    private static StorageRecord Storage(object? persistentId, Func<string, InvalidDataException> refuse) =>
        persistentId is object?[] { Length: 5 } id && id[0] is "storage" && id[1] is Global { Module: "torch" } type
        && id[2] is string key && id[3] is string && id[4] is long count and >= 0
            ? new StorageRecord(type.Name, key, count)
            : throw refuse("a persistent id that is not a tensor storage");
}
