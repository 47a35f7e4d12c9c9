// Test support: writes zip files (jars) in memory with libarchive's zip
// writer, so tests build exactly the archives they need, nested ones
// included. Test-only; aborts the test on writer failure.
#ifndef STRATA_CATALOG_JAVA_TEST_ZIP_H_
#define STRATA_CATALOG_JAVA_TEST_ZIP_H_

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace strata::catalog::java {

struct ZipMember {
  std::string name;
  std::string data;
  bool stored = false;  // store instead of deflate (how nested jars often are)
};

inline std::string WriteZip(const std::vector<ZipMember>& members) {
  using WritePtr =
      std::unique_ptr<archive, CHandleDeleter<archive, archive_write_free>>;
  using EntryPtr =
      std::unique_ptr<archive_entry,
                      CHandleDeleter<archive_entry, archive_entry_free>>;
  std::string out;
  WritePtr a(archive_write_new());
  EXPECT_EQ(archive_write_set_format_zip(a.get()), ARCHIVE_OK);
  EXPECT_EQ(archive_write_set_bytes_in_last_block(a.get(), 1), ARCHIVE_OK);
  auto write = [](archive*, void* s, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(s)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  EXPECT_EQ(archive_write_open(a.get(), &out, nullptr, write, nullptr),
            ARCHIVE_OK);
  for (const ZipMember& m : members) {
    if (m.stored) {
      archive_write_zip_set_compression_store(a.get());
    } else {
      archive_write_zip_set_compression_deflate(a.get());
    }
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), m.name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data.size()));
    archive_entry_set_mtime(e.get(), 1700000000, 0);
    EXPECT_EQ(archive_write_header(a.get(), e.get()), ARCHIVE_OK);
    EXPECT_EQ(archive_write_data(a.get(), m.data.data(), m.data.size()),
              static_cast<la_ssize_t>(m.data.size()));
  }
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  return out;
}

// The manifest and pom.properties that Maven writes for group:artifact:v.
inline std::vector<ZipMember> MavenJar(const std::string& group,
                                       const std::string& artifact,
                                       const std::string& version) {
  const std::string dir = "META-INF/maven/" + group + "/" + artifact + "/";
  return {
      {"META-INF/MANIFEST.MF",
       "Manifest-Version: 1.0\r\nCreated-By: Maven JAR Plugin 3.3.0\r\n"
       "Build-Jdk-Spec: 17\r\n\r\n"},
      {dir + "pom.properties", "artifactId=" + artifact + "\ngroupId=" + group +
                                   "\nversion=" + version + "\n"},
      {"com/example/Main.class", std::string("\xca\xfe\xba\xbe", 4)},
  };
}

}  // namespace strata::catalog::java

#endif  // STRATA_CATALOG_JAVA_TEST_ZIP_H_
