import { Container, Text, Title } from '@mantine/core';
import { AnchorLink } from '../shared/links';

export function NotFound() {
  return (
    <Container size="sm" py="xl" component="main">
      <Title order={1} size="h2" tabIndex={-1} data-page-title>
        Page not found
      </Title>
      <Text mt="sm">
        This address is not a page of the console. <AnchorLink to="/">Go to the overview</AnchorLink>.
      </Text>
    </Container>
  );
}
