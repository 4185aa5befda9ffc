# Builds the Couchwork distribution with the project's Maven wrapper, then runs it on a JRE. Used by docker-compose.yml.
# Both images are pinned to an exact Temurin release and, by digest, to one build of it; Maven's version is the
# wrapper's (.mvn/wrapper/maven-wrapper.properties). To move to a newer build: look the tag's digest up
# (docker buildx imagetools inspect eclipse-temurin:TAG) and change tag and digest together, in both stages.
FROM eclipse-temurin:17.0.20.1_1-jdk-noble@sha256:f40e36986cce86a25d83ee8fb53694b87675203c1b4741f70f65f881f43358bb AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN sh ./mvnw -B -q dependency:go-offline
COPY src src
COPY bin bin
COPY config config
COPY routes routes
COPY examples examples
COPY testserver/package.json testserver/package-lock.json testserver/record-install.js testserver/
COPY testserver/patches testserver/patches
COPY README.md ./
RUN sh ./mvnw -B -q -DskipTests package && mv target/couchwork-*/couchwork-* /opt/couchwork

# The runtime image has curl (the healthcheck's) and dash as /bin/sh (the scripts'), as Temurin's Ubuntu images do.
FROM eclipse-temurin:17.0.20.1_1-jre-noble@sha256:631290fcf272e36dfc1dcf1c5eebf2179baa8dec67387f817c6709393a655b5b
COPY --from=build /opt/couchwork /opt/couchwork
# the compose service's entrypoint (no restart into a configuration error) and healthcheck
COPY docker/couchwork-entrypoint.sh docker/couchwork-healthcheck.sh /usr/local/lib/couchwork/
WORKDIR /opt/couchwork
USER 10001
ENTRYPOINT ["/opt/couchwork/bin/couchwork"]
CMD ["run"]
