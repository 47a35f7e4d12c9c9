#include "catalog/javascript/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>
#include <utility>

#include "base/caps.h"

namespace strata::catalog::javascript {
namespace {

// Largest YAML lock file read (the biggest real pnpm locks are a few MiB).
constexpr int64_t kMaxYamlBytes = 32 * caps::kMiB;
// Nodes kept from one file (scalars, maps, sequences and map keys).
constexpr int64_t kMaxYamlNodes = 1'000'000;
// Documents in one file (pnpm 10 writes two).
constexpr int kMaxYamlDocuments = 16;

// An istream buffer over bytes the caller keeps alive (no copy).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());
    setg(p, p, p + s.size());
  }
};

// Builds YamlNodes from parser events. Past the node cap it stops keeping
// anything and only remembers that it overflowed.
class Builder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { Add(YamlNode{}); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { Add(YamlNode{}); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    YamlNode n;
    n.kind = YamlNode::Kind::kScalar;
    n.scalar = value;
    Add(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Open(YamlNode::Kind::kSequence);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Open(YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { Close(); }

  bool overflowed() const { return overflowed_; }
  std::vector<YamlNode>& documents() { return documents_; }

 private:
  bool Count() {
    if (overflowed_ || ++nodes_ > kMaxYamlNodes) overflowed_ = true;
    return !overflowed_;
  }
  void Open(YamlNode::Kind kind) {
    if (!Count()) return;
    stack_.emplace_back();
    stack_.back().kind = kind;
  }
  void Close() {
    if (overflowed_ || stack_.empty()) return;
    YamlNode n = std::move(stack_.back());
    stack_.pop_back();
    Attach(std::move(n));
  }
  void Add(YamlNode n) {
    if (Count()) Attach(std::move(n));
  }
  void Attach(YamlNode n) {
    if (stack_.empty()) {
      documents_.push_back(std::move(n));
      return;
    }
    YamlNode& parent = stack_.back();
    if (parent.kind == YamlNode::Kind::kMap &&
        parent.keys.size() == parent.items.size()) {
      parent.keys.push_back(n.kind == YamlNode::Kind::kScalar
                                ? std::move(n.scalar)
                                : std::string());
    } else {
      parent.items.push_back(std::move(n));
    }
  }

  std::vector<YamlNode> stack_;
  std::vector<YamlNode> documents_;
  int64_t nodes_ = 0;
  bool overflowed_ = false;
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i < keys.size() && i < items.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

std::string_view YamlNode::ScalarAt(std::string_view key) const {
  const YamlNode* n = Find(key);
  return n && n->kind == Kind::kScalar ? std::string_view(n->scalar)
                                       : std::string_view();
}

Result<std::vector<YamlNode>> ParseYaml(std::string_view text,
                                        std::string_view what) {
  const std::string name(what);
  if (static_cast<int64_t>(text.size()) > kMaxYamlBytes) {
    return ResourceExhaustedError(name + " is " + std::to_string(text.size()) +
                                  " bytes, over the cap of " +
                                  std::to_string(kMaxYamlBytes));
  }
  ViewBuf buf(text);
  std::istream in(&buf);
  Builder builder;
  try {
    YAML::Parser parser(in);
    int documents = 0;
    while (parser.HandleNextDocument(builder)) {
      if (++documents > kMaxYamlDocuments) {
        return ResourceExhaustedError(name + " has more than " +
                                      std::to_string(kMaxYamlDocuments) +
                                      " documents");
      }
    }
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      return DataLossError(name + " is not valid YAML: " + e.msg);
    }
    return DataLossError(name + " is not valid YAML: line " +
                         std::to_string(e.mark.line + 1) + ", column " +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return DataLossError(name + " is not valid YAML: " + e.what());
  }
  if (builder.overflowed()) {
    return ResourceExhaustedError(name + " has more than " +
                                  std::to_string(kMaxYamlNodes) +
                                  " YAML nodes");
  }
  return std::move(builder.documents());
}

}  // namespace strata::catalog::javascript
