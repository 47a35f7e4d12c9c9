// Maven ordering as org.apache.maven.artifact.versioning.ComparableVersion
// (maven-artifact 3.8.7, checked against it) implements it: the same token
// tree ('.' appends to the current list; '-', a digit/letter switch, and a
// qualifier after '.' that ends the version or precedes a digit open a nested
// list), the same trailing-null trimming and the same item-against-item rules
// (a list against nothing looks at all its items, MNG-6964). Every string is
// a valid Maven version; only the length cap rejects. Case folding is
// ASCII-only and other bytes compare as bytes (Java lower-cases and compares
// UTF-16 units; the two agree on ASCII).
#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include "version/version.h"

namespace strata::version {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// Java's item types; numbers are int, long or BigInteger by digit count.
enum class Kind { kInt, kLong, kBig, kString, kList };

struct Item {
  Kind kind;
  std::string text;           // digits without leading zeros, or qualifier
  std::vector<int> children;  // kList: indexes into the arena
};

constexpr size_t kMaxIntDigits = 9;    // MAX_INTITEM_LENGTH
constexpr size_t kMaxLongDigits = 18;  // MAX_LONGITEM_LENGTH

// QUALIFIERS: alpha < beta < milestone < rc < snapshot < "" < sp; unknown
// qualifiers sort after all of them, lexically among themselves.
constexpr std::string_view kQualifiers[] = {
    "alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
constexpr int kReleaseRank = 5;
constexpr int kUnknownRank = 7;

int QualifierRank(std::string_view q) {
  for (int i = 0; i < static_cast<int>(std::size(kQualifiers)); ++i) {
    if (kQualifiers[i] == q) return i;
  }
  return kUnknownRank;
}

// The item trees of the versions being compared, in one arena.
class Forest {
 public:
  // Adds the item tree of `v` (already lower-cased), as parseVersion builds
  // it, and returns its root.
  int Build(std::string_view v) {
    int root = Add({Kind::kList, {}, {}});
    std::vector<int> lists = {root};  // every list, in creation order
    int list = root;
    // Add() may move items_, so the list is looked up after the child exists.
    auto append = [&](int child) { items_[list].children.push_back(child); };
    auto open_list = [&] {
      append(Add({Kind::kList, {}, {}}));
      list = items_[list].children.back();
      lists.push_back(list);
    };
    bool is_digit = false;
    size_t start = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      char c = v[i];
      if (c == '.' || c == '-') {
        if (i == start) {
          append(Add({Kind::kInt, "", {}}));
        } else {
          append(AddParsed(is_digit, v.substr(start, i - start)));
        }
        start = i + 1;
        if (c == '-') open_list();
      } else if (IsDigit(c)) {
        if (!is_digit && i > start) {  // "X1": qualifier then number
          // ".X1" reads as "-X1" (1.0.0.X1 < 1.0.0-X2).
          if (!items_[list].children.empty()) open_list();
          append(AddQualifier(v.substr(start, i - start), true));
          start = i;
          open_list();
        }
        is_digit = true;
      } else {
        if (is_digit && i > start) {  // "1X": number then qualifier
          append(AddParsed(true, v.substr(start, i - start)));
          start = i;
          open_list();
        }
        is_digit = false;
      }
    }
    if (v.size() > start) {
      // A final ".X" qualifier reads as "-X" (1.0.0.X1 < 1.0.0-X2).
      if (!is_digit && !items_[list].children.empty()) open_list();
      append(AddParsed(is_digit, v.substr(start)));
    }
    for (auto it = lists.rbegin(); it != lists.rend(); ++it) Normalize(*it);
    return root;
  }

  // ComparableVersion's Item.compareTo; `b` < 0 stands for Java's null.
  int CompareItems(int a, int b) const {
    const Item& x = items_[a];
    if (b < 0) {
      switch (x.kind) {
        case Kind::kInt:
        case Kind::kLong:
        case Kind::kBig:
          return x.text.empty() ? 0 : 1;
        case Kind::kString:
          return Sign(QualifierRank(x.text) - kReleaseRank);
        case Kind::kList:  // every item against null (MNG-6964)
          for (int child : x.children) {
            if (int c = CompareItems(child, -1); c != 0) return c;
          }
          return 0;
      }
    }
    const Item& y = items_[b];
    switch (x.kind) {
      case Kind::kInt:
      case Kind::kLong:
      case Kind::kBig:
        if (y.kind == Kind::kString || y.kind == Kind::kList) return 1;
        if (x.kind != y.kind) return x.kind < y.kind ? -1 : 1;
        if (x.text.size() != y.text.size()) {
          return x.text.size() < y.text.size() ? -1 : 1;
        }
        return Sign(x.text.compare(y.text));
      case Kind::kString:
        if (y.kind != Kind::kString) return -1;
        return CompareQualifiers(x.text, y.text);
      case Kind::kList:
        if (y.kind == Kind::kString) return 1;
        if (y.kind != Kind::kList) return -1;
        for (size_t i = 0; i < x.children.size() || i < y.children.size();
             ++i) {
          int c;
          if (i >= x.children.size()) {
            c = -CompareItems(y.children[i], -1);
          } else {
            c = CompareItems(x.children[i],
                             i < y.children.size() ? y.children[i] : -1);
          }
          if (c != 0) return c;
        }
        return 0;
    }
    return 0;
  }

 private:
  int Add(Item item) {
    items_.push_back(std::move(item));
    return static_cast<int>(items_.size()) - 1;
  }

  // parseItem: numbers keep their type by the length of the digits after
  // stripping leading zeros (an all-zero run keeps its full length).
  int AddParsed(bool is_digit, std::string_view buf) {
    if (!is_digit) return AddQualifier(buf, false);
    size_t nz = buf.find_first_not_of('0');
    size_t length = nz == std::string_view::npos ? buf.size() : buf.size() - nz;
    Kind kind = length <= kMaxIntDigits    ? Kind::kInt
                : length <= kMaxLongDigits ? Kind::kLong
                                           : Kind::kBig;
    std::string digits(nz == std::string_view::npos ? "" : buf.substr(nz));
    return Add({kind, std::move(digits), {}});
  }

  int AddQualifier(std::string_view value, bool followed_by_digit) {
    std::string q(value);
    if (followed_by_digit && q.size() == 1) {
      if (q == "a") q = "alpha";
      if (q == "b") q = "beta";
      if (q == "m") q = "milestone";
    }
    if (q == "ga" || q == "final" || q == "release") q = "";
    if (q == "cr") q = "rc";
    return Add({Kind::kString, std::move(q), {}});
  }

  bool IsNull(const Item& item) const {
    switch (item.kind) {
      case Kind::kString:
        return QualifierRank(item.text) == kReleaseRank;
      case Kind::kList:
        return item.children.empty();
      default:
        return item.text.empty();
    }
  }

  // Drops trailing null items, looking past non-null nested lists.
  void Normalize(int list) {
    std::vector<int>& children = items_[list].children;
    for (size_t i = children.size(); i-- > 0;) {
      const Item& item = items_[children[i]];
      if (IsNull(item)) {
        children.erase(children.begin() + static_cast<ptrdiff_t>(i));
      } else if (item.kind != Kind::kList) {
        break;
      }
    }
  }

  static int CompareQualifiers(std::string_view a, std::string_view b) {
    int ra = QualifierRank(a), rb = QualifierRank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    return ra == kUnknownRank ? Sign(a.compare(b)) : 0;
  }

  std::vector<Item> items_;
};

Result<std::string> Lowered(std::string_view text) {
  if (text.size() > kMaxVersionLength) {
    return InvalidArgumentError("invalid maven version \"" +
                                std::string(text.substr(0, 100)) + "\"");
  }
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

Result<int> CompareMaven(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(std::string la, Lowered(a));
  ASSIGN_OR_RETURN(std::string lb, Lowered(b));
  Forest forest;
  int ra = forest.Build(la);
  int rb = forest.Build(lb);
  return forest.CompareItems(ra, rb);
}

}  // namespace strata::version
