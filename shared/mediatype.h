/* Media types (image-spec media-types.md, Docker schema2). */
#ifndef OCIKIT_MEDIATYPE_H
#define OCIKIT_MEDIATYPE_H

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MT_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

#define ANNOT_REF_NAME "org.opencontainers.image.ref.name"

#endif
