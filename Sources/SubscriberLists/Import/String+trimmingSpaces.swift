extension String {
    /// The text without leading and trailing spaces and tabs (what a CSV cell's padding is),
    /// cheaper than Foundation's trimming on the import path.
    public var trimmingSpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        guard let last = utf8.lastIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        if first == utf8.startIndex, last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}
