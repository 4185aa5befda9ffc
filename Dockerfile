# Builds the Couchwork distribution with Maven, then runs it on a JRE. Used by docker-compose.yml.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src src
COPY bin bin
COPY config config
COPY routes routes
COPY testserver/package.json testserver/package-lock.json testserver/
COPY README.md ./
RUN mvn -B -q -DskipTests package && mv target/couchwork-*/couchwork-* /opt/couchwork

FROM eclipse-temurin:17-jre
COPY --from=build /opt/couchwork /opt/couchwork
WORKDIR /opt/couchwork
USER 10001
ENTRYPOINT ["/opt/couchwork/bin/couchwork"]
CMD ["run"]
